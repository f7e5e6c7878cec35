"""The assignment's two code cells, its seven `# TODO` blanks, and their answers.

The cells are kept as the assignment wrote them, Chinese comments and all; each
comment has an English translation. A cell is a list of segments: code shown and run
as it stands ("code"), code shown but replaced when run ("setup": its random draws
become the seed's, so both cells start from the same data), the loop header, and the
blanks. The runner (twolayer.exercise.runs) evaluates the code segments with the same
evaluator as the student's lines: the code shown is the code that ran.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_


@dataclass(frozen=True)
class Segment:
    """A piece of a cell: kind "setup", "loop", "code" or "blank"; its text (or the blank's
    number); no_grad: inside the `with torch.no_grad():` block."""

    kind: str
    text: str = ""
    blank: int = 0
    no_grad: bool = False


@dataclass(frozen=True)
class Blank:
    """One `# TODO`: what it asks for, the assignment's own answer, and what a check needs to
    know of it.

    outputs: what it produces, by the names the checks compare (the values the cell's next
    lines depend on); own: the names of the cell it is there to change (any other must be
    left as the answer leaves it; "the gradient of w1" is whatever name the blank gives it);
    follow: the cell's next lines, run after it where its values alone cannot tell (y_pred:
    do the gradients reach w1 and w2?); steps: for an update, where each weight's gradient
    is; autograd: what autograd needs of its result ("untracked" data, a "tracked" y_pred,
    the same "leaves" w1 and w2).
    """

    number: int
    cell: int  # 1: method 1 (numpy), 2: method 2 (autograd)
    task: str  # what the blank asks, in English, marked N_(): shown through _()
    task_zh: str  # the assignment's own heading
    answer: str  # the assignment's own completed lines
    indent: str  # the blank's indentation in the cell
    end: str  # the cell's first code line after the blank (where a file's blank ends)
    outputs: tuple[str, ...] = ()
    own: tuple[str, ...] = ()
    follow: str = ""
    steps: tuple[tuple[str, str], ...] = ()
    autograd: str = ""

    @property
    def dtype(self) -> str:
        """The precision its cell computes in: method 1 float64, method 2 float32."""
        return "float64" if self.cell == 1 else "float32"


UPDATES = ("w1", "w2")
GRADIENTS = ("w1.grad", "w2.grad")

BLANKS = (
    Blank(1, 1, N_("Compute the squared loss and print it as print(t, loss)."),
          "## 1. 计算并打印平方损失",
          "y_loss=((y_pred-y)**2).sum()\nprint(t,y_loss)", "    ",
          "grad_y_pred = 2.0 * (y_pred - y)", outputs=(N_("printed loss"),)),
    Blank(2, 1, N_("Compute the gradient of w1 (one or more lines; e.g. grad_h_relu, grad_h, "
                   "grad_w1)."), "# 计算 w1 的梯度",
          "grad_w1=x.T@((grad_y_pred@w2.T)*(h>0))", "    ", "",
          outputs=(N_("the gradient of w1"),), own=("the gradient of w1",)),
    Blank(3, 1, N_("Update the weights w1 and w2."), "## 3.更新权重 w1 和 w2",
          "w1-=grad_w1*learning_rate\nw2-=grad_w2*learning_rate", "    ", "",
          outputs=UPDATES, own=UPDATES, steps=(("w1", "grad_w1"), ("w2", "grad_w2"))),
    Blank(4, 2, N_("Build x_tensor and y_tensor from x and y."),
          "## 1. 使用上一题中x, y的数值构建x_tensor, y_tensor",
          "x_tensor=torch.tensor(x,device=device,dtype=dtype)\n"
          "y_tensor=torch.tensor(y,device=device,dtype=dtype)", "",
          "w1 = torch.randn(D_in, H, device=device, dtype=dtype, requires_grad=True)",
          outputs=("x_tensor", "y_tensor"), own=("x_tensor", "y_tensor"),
          autograd="untracked"),
    Blank(5, 2, N_("Compute y_pred."), "## 2. 补充y_pred的计算",
          "y_pred=torch.maximum((x_tensor@w1),torch.zeros(N,H,device=device,dtype=dtype))@w2",
          "    ", "loss = (y_pred - y_tensor).pow(2).sum()",
          outputs=("y_pred", *GRADIENTS), own=("y_pred",),
          follow="loss = (y_pred - y_tensor).pow(2).sum()\nloss.backward()",
          autograd="tracked"),
    Blank(6, 2, N_("Call autograd's backward."), "## 3.补充自动求导backward", "loss.backward()",
          "    ", "with torch.no_grad():", outputs=GRADIENTS, own=GRADIENTS),
    Blank(7, 2, N_("Update w1 and w2 inside torch.no_grad()."), "## 4.补充参数更新的代码",
          "w1.sub_(w1.grad,alpha=learning_rate)\nw2.sub_(w2.grad,alpha=learning_rate)",
          "        ", "w1.grad.zero_()", outputs=UPDATES, own=UPDATES,
          steps=(("w1", "w1.grad"), ("w2", "w2.grad")), autograd="leaves"),
)

CELL_1 = (
    Segment("setup", "# 随机初始化权重\nw1 = np.random.randn(D_in, H)\nw2 = np.random.randn(H, D_out)"),
    Segment("loop", "for t in range(500):"),
    Segment("code", "    # 前向传播：计算输出值 y\n    h = x.dot(w1)\n    h_relu = np.maximum(h, 0)\n"
                    "    y_pred = h_relu.dot(w2)\n\n    ## 1. 计算并打印平方损失\n    # TODO"),
    Segment("blank", blank=1),
    Segment("code", "    ## 2.反向传播\n    grad_y_pred = 2.0 * (y_pred - y)\n"
                    "    grad_w2 = h_relu.T.dot(grad_y_pred)\n    # 计算 w1 的梯度\n    # TODO"),
    Segment("blank", blank=2),
    Segment("code", "    ## 3.更新权重 w1 和 w2\n    # TODO"),
    Segment("blank", blank=3),
)

CELL_2 = (
    Segment("setup", 'dtype = torch.float\n'
                     'device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")\n\n'
                     "## 1. 使用上一题中x, y的数值构建x_tensor, y_tensor\n# TODO"),
    Segment("blank", blank=4),
    Segment("setup", "\n# 随机初始化权重\n# 设置requires_grad = True表示我们想要计算梯度\n"
                     "w1 = torch.randn(D_in, H, device=device, dtype=dtype, requires_grad=True)\n"
                     "w2 = torch.randn(H, D_out, device=device, dtype=dtype, requires_grad=True)"),
    Segment("loop", "for t in range(500):"),
    Segment("code", "    # 前向传播：使用tensors上的操作计算输出值 y\n"
                    "    # 由于 w1 和 w2 有requires_grad=True，涉及这些张量的操作将让PyTorch构建计算图，\n"
                    "    # 从而允许自动计算梯度。由于我们不再手工实现反向传播，所以不需要保留中间值的引用。\n"
                    "    ## 2. 补充y_pred的计算\n    # TODO"),
    Segment("blank", blank=5),
    Segment("code", "\n    # 使用Tensors上的操作计算并打印 loss。\n"
                    "    # loss.item() 得到这个张量对应的python数值\n"
                    "    loss = (y_pred - y_tensor).pow(2).sum()\n    print(t, loss.item())\n\n"
                    "    ## 3.补充自动求导backward\n    # TODO"),
    Segment("blank", blank=6),
    Segment("code", "\n    # 使用梯度下降更新权重。对于这一步，我们只想对 w1 和 w2 的值进行原地改变\n"
                    "    # 不想为更新阶段构建计算图\n"
                    "    # 所以我们使用torch.no_grad()上下文管理器防止PyTorch为更新构建计算图\n"
                    "    with torch.no_grad():\n        ## 4.补充参数更新的代码\n        # TODO"),
    Segment("blank", blank=7, no_grad=True),
    Segment("code", "        # 反向传播后手动将梯度设置为零\n        w1.grad.zero_()\n"
                    "        w2.grad.zero_()", no_grad=True),
)

CELLS = {1: CELL_1, 2: CELL_2}

PREAMBLE = ("import numpy as np\nimport torch\n\n# N是数据集的大小\n"
            "# D_in是输入维度，H是隐藏层维度，D_out是输出维度\nN = 64\n"
            "D_in, H, D_out = 1000, 100, 10\n\n# 创建随机输入和输出数据\n"
            "x = np.random.randn(N, D_in)\ny = np.random.randn(N, D_out)\n\n"
            "# 反向传播中使用到的学习率参数\nlearning_rate = 1e-6\n")

TRANSLATIONS = {  # each Chinese comment, as the English page shows it
    "# N是数据集的大小": "# N is the size of the data set",
    "# D_in是输入维度，H是隐藏层维度，D_out是输出维度":
        "# D_in is the input size, H the hidden layer's size, D_out the output size",
    "# 创建随机输入和输出数据": "# Random input and output data",
    "# 反向传播中使用到的学习率参数": "# The learning rate used by backpropagation",
    "# 随机初始化权重": "# Random initial weights",
    "# 前向传播：计算输出值 y": "# Forward pass: compute the predicted y",
    "## 1. 计算并打印平方损失": "## 1. Compute and print the squared loss",
    "## 2.反向传播": "## 2. Backpropagation",
    "# 计算 w1 的梯度": "# Compute the gradient of w1",
    "## 3.更新权重 w1 和 w2": "## 3. Update the weights w1 and w2",
    "## 1. 使用上一题中x, y的数值构建x_tensor, y_tensor":
        "## 1. Build x_tensor and y_tensor from the previous cell's x and y",
    "# 设置requires_grad = True表示我们想要计算梯度":
        "# requires_grad = True: we want gradients for these",
    "# 前向传播：使用tensors上的操作计算输出值 y":
        "# Forward pass: compute the predicted y with operations on tensors",
    "# 由于 w1 和 w2 有requires_grad=True，涉及这些张量的操作将让PyTorch构建计算图，":
        "# Since w1 and w2 have requires_grad=True, operations on them make PyTorch build",
    "# 从而允许自动计算梯度。由于我们不再手工实现反向传播，所以不需要保留中间值的引用。":
        "# a graph for automatic gradients; as we no longer backpropagate by hand, we keep "
        "no references to the intermediate values.",
    "## 2. 补充y_pred的计算": "## 2. Compute y_pred",
    "# 使用Tensors上的操作计算并打印 loss。": "# Compute and print the loss with operations "
                                        "on tensors.",
    "# loss.item() 得到这个张量对应的python数值":
        "# loss.item() gives the Python number this tensor holds",
    "## 3.补充自动求导backward": "## 3. Call autograd's backward",
    "# 使用梯度下降更新权重。对于这一步，我们只想对 w1 和 w2 的值进行原地改变":
        "# Update the weights by gradient descent. Here we only want to change the values "
        "of w1 and w2 in place",
    "# 不想为更新阶段构建计算图": "# and not build a graph for the update,",
    "# 所以我们使用torch.no_grad()上下文管理器防止PyTorch为更新构建计算图":
        "# so torch.no_grad() keeps PyTorch from building one",
    "## 4.补充参数更新的代码": "## 4. The weight updates",
    "# 反向传播后手动将梯度设置为零": "# After backpropagation, set the gradients to zero by hand",
}


def translate(text: str) -> str:
    """A segment's text with its Chinese comments in English (code unchanged)."""
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        lines.append(indent + TRANSLATIONS[stripped] if stripped in TRANSLATIONS else line)
    return "\n".join(lines)


NO_GRAD = "with torch.no_grad():"  # the runner's own block: segments flagged no_grad run in it


def code_lines(text: str) -> str:
    """A code segment's lines without comments (nor the no_grad header, which the runner
    opens itself), dedented: what the runner evaluates."""
    import textwrap

    kept = [line for line in text.split("\n") if line.strip() and
            not line.strip().startswith("#") and line.strip() != NO_GRAD]
    return textwrap.dedent("\n".join(kept))


def no_grad(blank: Blank) -> bool:
    """Whether the cell runs the blank inside `with torch.no_grad():`."""
    return any(s.kind == "blank" and s.blank == blank.number and s.no_grad
               for s in CELLS[blank.cell])
