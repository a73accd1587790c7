"""The instructor workflow: hand out student copies, check notebooks, grade submissions.

    cnnlab release lessons/ --out release/                    # student copies
    cnnlab check release/02_naive_convolution.ipynb           # PASS/FAIL per exercise
    cnnlab grade submissions/ --source release/ --out grades.csv --jobs 2

Modules, one job each:
- ``release``: student copies (solutions -> stubs, hidden tests removed, verdicts kept);
- ``submissions``: reading whatever students hand in, and what a notebook assigns;
- ``runner``: running notebooks in fresh kernels with time limits, several at once;
- ``kernel``: what runs inside the grading kernel (finds the student's function, checks it);
- ``grading``: rows, points and reasons, the CSV; ``commands``: the command line.

Grading runs the students' code with the grader's permissions: it guards against
accidents (hangs, crashes, floods of output, broken files), not against a student who
sets out to attack the machine. It is not a sandbox.

Nothing here is imported by ``import cnnlab`` or by the lessons.
"""
