"""The two languages: one session's language never another's; the catalog complete."""

import threading

from twolayer import i18n
from twolayer.i18n import catalogs


def test_each_thread_writes_in_its_own_language():
    seen = {}

    def session(lang: str) -> None:
        i18n.use(lang)
        barrier.wait()  # both sessions have chosen before either reads
        seen[lang] = i18n.current()

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=session, args=(lang,)) for lang in ("en", "zh")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"en": "en", "zh": "zh"} and i18n.current() == "en"


def test_language_holds_inside_its_block_only():
    with i18n.language("zh"):
        assert i18n.current() == "zh"
    assert i18n.current() == "en"


def test_an_unknown_language_is_english():
    with i18n.language("fr"):
        assert i18n.current() == "en" and i18n._("Check") == "Check"


def test_placeholders_are_filled_after_translation():
    assert i18n._("iteration {t} of {total}", t=3, total=500) == "iteration 3 of 500"


def test_the_chinese_catalog_compiles_from_its_po():
    path = catalogs.po_path("zh")
    assert path.exists()
    compiled = catalogs.compiled(path)
    assert compiled[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")  # gettext's magic
