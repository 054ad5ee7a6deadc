#!/usr/bin/env python3
"""Converts a synthetic OpenAI batch job (gen_openai_batch.py) into the same
job in Anthropic Message Batches form, row for row, so the benchmark can run
both readers on equal work.

Usage: to_anthropic.py IN.jsonl OUT.jsonl ANTHROPIC_IN.jsonl ANTHROPIC_OUT.jsonl
"""
import json
import sys


def dumps(o):
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


def convert_input(line):
    row = json.loads(line)
    body = row["body"]
    msgs = body["messages"]
    system = "\n".join(m["content"] for m in msgs if m["role"] == "system")
    params = {"model": "claude-haiku-4-5", "max_tokens": body.get("max_tokens", 256),
              "system": system, "messages": [m for m in msgs if m["role"] != "system"]}
    return {"custom_id": row["custom_id"], "params": params}


def errored(kind, message):
    return {"type": "errored", "error": {"type": "error", "error": {"type": kind, "message": message},
                                         "request_id": None}}


def convert_output(line):
    row = json.loads(line)
    err, resp = row.get("error"), row.get("response")
    if err:
        if err.get("code") == "content_filter":
            result = succeeded(None, "refusal", 0, 0)
        else:
            result = errored("api_error", err.get("message", ""))
    elif resp["status_code"] != 200:
        e = resp["body"]["error"]
        if e.get("code") == "content_filter":
            result = succeeded(None, "refusal", 0, 0)
        else:
            result = errored("api_error", e.get("message", ""))
    else:
        body = resp["body"]
        choice = body["choices"][0]
        stop = {"stop": "end_turn", "length": "max_tokens", "content_filter": "refusal"}[choice["finish_reason"]]
        u = body["usage"]
        result = succeeded(choice["message"]["content"], stop, u["prompt_tokens"], u["completion_tokens"])
    return {"custom_id": row["custom_id"], "result": result}


def succeeded(text, stop, tin, tout):
    content = [] if text is None else [{"type": "text", "text": text}]
    return {"type": "succeeded", "message": {
        "id": "msg_0", "type": "message", "role": "assistant", "model": "claude-haiku-4-5-20251001",
        "content": content, "stop_reason": stop, "stop_sequence": None,
        "usage": {"input_tokens": tin, "output_tokens": tout, "cache_read_input_tokens": 0,
                  "cache_creation_input_tokens": 0}}}


def main():
    src_in, src_out, dst_in, dst_out = sys.argv[1:5]
    with open(src_in, encoding="utf-8") as fi, open(dst_in, "w", encoding="utf-8") as fo:
        for line in fi:
            fo.write(dumps(convert_input(line)) + "\n")
    with open(src_out, encoding="utf-8") as fi, open(dst_out, "w", encoding="utf-8") as fo:
        for line in fi:
            fo.write(dumps(convert_output(line)) + "\n")


if __name__ == "__main__":
    main()
