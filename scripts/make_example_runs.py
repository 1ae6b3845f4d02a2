#!/usr/bin/env python3
"""Writes the example run records in data/runs/ (seeded; rerun to regenerate).

    python3 scripts/make_example_runs.py

- data/runs/verl/<step>.jsonl: a verl rollout dump (trainer.rollout_data_dir) of a small
  GRPO run on three clinical sources: 20 steps × 10 prompts × G 8, with the reward
  function's extra fields data_source and demo (the FairGRPO authors' demographics
  strings; one case in eight has none). Each (source, group) has its own difficulty, and
  the policy improves over the steps, so easy groups stop disagreeing (no signal) while a
  hard minority group keeps failing.
- data/runs/eval.jsonl: the same model's answers on 240 test cases (\\boxed{...} answers,
  ground truth, dataset, demo).

Synthetic, shaped like a real run; for the tutorials and tests, not a result.
"""

import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "data", "runs")
rng = random.Random(22)

SOURCES = {
    "chexpert": ["normal", "pneumonia", "effusion"],
    "ham10000": ["benign", "melanoma"],
    "papila": ["normal", "glaucoma"],
}
# Base accuracy per source and a penalty for the rarer groups.
BASE = {"chexpert": 0.55, "ham10000": 0.6, "papila": 0.5}
HARD = {("chexpert", "F,A4"): 0.35, ("ham10000", "A1"): 0.3, ("papila", "M,A1"): 0.3}


def demo_for(source: str) -> tuple[str, str]:
    """A demo string and the group the authors' loader forms from it."""
    if rng.random() < 0.125:
        return "", "UNK"
    age = rng.choice([19, 23, 34, 47, 58, 63, 70, 72, 81, 88])
    ab = "A1" if age <= 25 else "A2" if age <= 50 else "A3" if age <= 75 else "A4"
    if source == "ham10000":  # age only, as the dermatology data records
        return f"age: {age}", ab
    sex = rng.choice(["Male", "Male", "Female"])
    return f"sex: {sex}, age: {age}", ("M" if sex == "Male" else "F") + "," + ab


def cases(n: int) -> list[dict]:
    out = []
    for i in range(n):
        source = rng.choice(list(SOURCES))
        demo, group = demo_for(source)
        label = rng.choice(SOURCES[source])
        out.append({"id": i, "source": source, "demo": demo, "group": group, "label": label,
                    "prompt": f"{source} case {i}: what is the diagnosis?"})
    return out


def p_correct(case: dict, progress: float) -> float:
    p = BASE[case["source"]] - HARD.get((case["source"], case["group"]), 0.0)
    return min(0.98, max(0.02, p + 0.45 * progress * (1 if (case["source"], case["group"]) not in HARD else 0.2)))


def answer(case: dict, correct: bool) -> str:
    options = SOURCES[case["source"]]
    a = case["label"] if correct else rng.choice([o for o in options if o != case["label"]])
    return f"The answer is \\boxed{{{a}}}."


def main() -> None:
    os.makedirs(os.path.join(OUT, "verl"), exist_ok=True)
    train = cases(400)
    steps, prompts, g = 20, 10, 8
    for step in range(1, steps + 1):
        batch = rng.sample(train, prompts)
        progress = (step - 1) / (steps - 1)
        with open(os.path.join(OUT, "verl", f"{step}.jsonl"), "w") as f:
            for case in batch:
                p = p_correct(case, progress)
                for _ in range(g):
                    correct = rng.random() < p
                    f.write(json.dumps({"input": case["prompt"], "output": answer(case, correct), "gts": case["label"],
                                        "score": 1.0 if correct else 0.0, "step": step,
                                        "data_source": case["source"], "demo": case["demo"]}) + "\n")
    with open(os.path.join(OUT, "eval.jsonl"), "w") as f:
        for case in cases(240):
            correct = rng.random() < p_correct(case, 1.0)
            text = answer(case, correct) if rng.random() > 0.02 else "I cannot tell from this image."
            f.write(json.dumps({"prediction": text, "ground_truth": case["label"], "dataset": case["source"],
                                "demo": case["demo"]}) + "\n")


if __name__ == "__main__":
    main()
