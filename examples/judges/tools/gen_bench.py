"""Writes a synthetic OpenAI batch (input + results) of N completed rows, for timing
judges with `assay eval`: python3 gen_bench.py N OUT_DIR -> OUT_DIR/{in,out}.jsonl"""
import json
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
random.seed(2)
words = "the model answered clearly and our product ships worldwide with support for every plan we offer today".split()
with open(f"{out}/in.jsonl", "w") as fi, open(f"{out}/out.jsonl", "w") as fo:
    for i in range(n):
        text = " ".join(random.choice(words) for _ in range(random.randint(15, 45))).capitalize()
        if i % 10 == 3:
            text += " unlike Acme"
        text += random.choice([".", ".", "!", ""])
        fi.write(json.dumps({"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions",
                             "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}) + "\n")
        body = {"id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        fo.write(json.dumps({"id": f"batch_req_{i}", "custom_id": f"r{i}",
                             "response": {"status_code": 200, "request_id": "x", "body": body}, "error": None}) + "\n")
