#!/usr/bin/env python3
"""lm-evaluation-harness's GSM8K scoring, reproduced in Python as the harness runs it, for deepalign's LmEvalGsm8k.

The gsm8k task (lm_eval/tasks/gsm8k/gsm8k.yaml, version 3.0) filters each generation twice: "strict-match" with
regex `#### (\-?[0-9\.\,]+)` then take_first, "flexible-extract" with `(-?[$0-9.,]{2,})|(-?[0-9]+)` and
group_select -1; the RegexFilter runs re.findall, takes match[group_select], keeps the first non-empty group of a
tuple, strips it, and falls back to "[invalid]". exact_match (HF evaluate's) then deletes each of regexes_to_ignore
[",", "\\$", "(?s).*#### ", "\\.$"] from prediction and reference in that order, lower-cases both (ignore_case) and
compares the strings. The reference is the dataset's full `answer` text (doc_to_target "{{answer}}").

Usage: lmeval_reference.py OUT.json
"""
import json
import re
import sys

STRICT = (r"#### (\-?[0-9\.\,]+)", 0)
FLEXIBLE = (r"(-?[$0-9.,]{2,})|(-?[0-9]+)", -1)
IGNORE = [",", "\\$", "(?s).*#### ", "\\.$"]


def regex_filter(resp, pattern, group_select, fallback="[invalid]"):
    match = re.compile(pattern).findall(resp)
    if not match:
        return fallback
    match = match[group_select]
    if isinstance(match, tuple):
        match = [m for m in match if m][0]
    return match.strip()


def exact_match(prediction, reference):
    for s in IGNORE:
        prediction = re.sub(s, "", prediction)
        reference = re.sub(s, "", reference)
    return prediction.lower() == reference.lower()


REFERENCES = [
    "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72",
    "It costs 1,000 dollars in all.\n#### 1000",
    "Half of 7 is 3.5\n#### 3.5",
    "She loses 4.\n#### -4",
    "#### 18",
]

RESPONSES = [
    " Natalia sold 24 clips in May. In total 72 clips.\n#### 72",
    " #### 72",
    " ####72",
    " #### $72",
    " #### 72.",
    " #### 72.\n\n",
    " #### 1,000",
    " The answer is $1,000.",
    " The answer is 1000 dollars",
    " The answer is 18.00.",
    " The answer is 18.",
    " The answer is 18...",
    " so 3.5 it is",
    " she ends at -4",
    " she ends at - 4",
    " 5 + 3 = 8, then 8 * 9 = 72",
    " no number here",
    " 7 then 6 then 72,",
    " #### 18 and also #### 19",
    " x = 2.5. So the answer is 2.5\n#### 2.5\n\nQuestion: next",
    " costs $.50",
    " 72\n",
    "",
]


def main(out):
    cases = []
    for ref in REFERENCES:
        for resp in RESPONSES:
            strict = regex_filter(resp, *STRICT)
            flexible = regex_filter(resp, *FLEXIBLE)
            cases.append({"response": resp, "reference": ref, "strict": strict, "flexible": flexible,
                          "strict_correct": exact_match(strict, ref), "flexible_correct": exact_match(flexible, ref)})
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"task": "lm-evaluation-harness gsm8k v3.0", "cases": cases}, f, indent=1)
    print("wrote", out, len(cases), "cases,", sum(c["strict_correct"] for c in cases), "strict and",
          sum(c["flexible_correct"] for c in cases), "flexible matches")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
