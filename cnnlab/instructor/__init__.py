"""The instructor workflow: hand out student copies, check notebooks, grade submissions.

    cnnlab release instructor/ --out release/                 # student copies
    cnnlab check release/02_naive_convolution.ipynb           # PASS/FAIL per exercise
    cnnlab grade submissions/ --source release/ --out grades.csv --jobs 2

Modules, one job each:
- ``release``: student copies (solutions -> stubs, hidden tests removed, unsolved verdicts);
- ``submissions``: reading whatever students hand in, and what a notebook assigns;
- ``grading``: what to grade, rows, points and reasons, the CSV; ``journal``: finished
  results kept as they come; ``copying``: code that is the same as cnnlab's answer;
- ``runner``: one judge process per submission, several at once, nothing left running;
- ``judge``: checks a submission's exercises from outside the process that runs it;
- ``kernel``: the student's side: runs the cells, calls the functions it is asked to;
- ``wire``: the pipe between them (plain data, no pickle);
- ``sandbox``: bubblewrap, the grading copy of cnnlab without the answer key, limits;
- ``commands``: the command line.

Nothing here is imported by ``import cnnlab`` or by the lessons.
"""
