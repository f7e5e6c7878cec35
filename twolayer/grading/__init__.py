"""Grading a class: many submissions at once, with the exercise's checker.

- submissions: files and zips of them, read in memory and bounded, a student's name each
- batch: each submission graded, as a task (the page) or on several processes (the CLI)
- gradebook: the gradebook (CSV), the class at a glance, feedback per student, JSON
- similar: files that share uncommon code, for a teacher to look at
"""
