#!/usr/bin/env python3
"""Converts a synthetic OpenAI batch job (../shared/bench/gen_openai_batch.py) into
the same job in the file formats of the other providers assay reads, row for row,
so that bench.py can time every reader on equal work.

Usage: convert.py IN.jsonl OUT.jsonl DIR [PROVIDER...]
  Writes DIR/<provider>_in.jsonl and DIR/<provider>_out.jsonl (Azure also
  DIR/azure_errors.jsonl) for each PROVIDER (default: all of PROVIDERS), reading
  the two source files once.

Each row keeps its id, its outcome and its response text, so every reader must
report the same status counts and the same judge verdicts as the OpenAI reader
(bench.py asserts this). The shapes follow ../shared/reference/provider-formats.md
and the readers' fixtures in host/batch/tests/fixtures/:

  outcome in the OpenAI job           azure           anthropic      bedrock (Claude)    vertex / gemini
  200, finish stop / length           200 + filter    succeeded,     modelOutput,        finishReason STOP /
                                      annotations     end_turn /     end_turn /          MAX_TOKENS
                                                      max_tokens     max_tokens
  200, finish content_filter          same, filtered  succeeded,     modelOutput,        finishReason SAFETY
                                      annotations     refusal        refusal
  error / 400 code content_filter     400 content_    succeeded,     modelOutput,        promptFeedback
                                      filter (errors  refusal        refusal             .blockReason SAFETY
                                      file)
  error server_error / HTTP 500       500 (errors     errored,       error{errorCode     status / error 500
                                      file)           api_error      500}                INTERNAL

Vertex requests carry no id: each request gets `labels.custom_id` and bench.py
joins with `--id-path request.labels.custom_id` (the synthetic prompts repeat, so a
hash of the request would not tell rows apart). Gemini writes `key` last in result
lines, as the cookbook's captured output does. Bedrock result lines echo
`modelInput` before `modelOutput`, as the documentation's example does.
"""
import json
import os
import sys

PROVIDERS = ("azure", "anthropic", "bedrock", "vertex", "gemini")
PROCESSED = "2026-11-27T10:00:00.000+00:00"
SAFE = {"filtered": False, "severity": "safe"}


def dumps(o):
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


# ---- the source job, reduced to what every format carries -------------------------

def split_messages(body):
    msgs = body["messages"]
    system = "\n".join(m["content"] for m in msgs if m["role"] == "system")
    return system, [m for m in msgs if m["role"] != "system"]


def outcome(row):
    """(kind, fields): kind is "ok", "output_filter", "prompt_filter" or "error"."""
    err, resp = row.get("error"), row.get("response")
    if err:
        kind = "prompt_filter" if err.get("code") == "content_filter" else "error"
        return kind, {"message": err.get("message", "")}
    if resp["status_code"] != 200:
        e = resp["body"]["error"]
        kind = "prompt_filter" if e.get("code") == "content_filter" else "error"
        return kind, {"message": e.get("message", "")}
    body = resp["body"]
    choice = body["choices"][0]
    u = body["usage"]
    f = {"text": choice["message"]["content"], "finish": choice["finish_reason"],
         "tin": u["prompt_tokens"], "tout": u["completion_tokens"], "fp": body.get("system_fingerprint"),
         "created": body["created"], "id": body["id"]}
    return ("output_filter" if f["finish"] == "content_filter" else "ok"), f


# ---- Azure OpenAI ------------------------------------------------------------------

def azure_input(row):
    body = dict(row["body"], model="gpt-4o-mini-batch")  # the Global-Batch deployment name
    return {"custom_id": row["custom_id"], "method": "POST", "url": "/chat/completions", "body": body}


def azure_result(row):
    """(line, is_error): HTTP errors go to the error file, as Azure writes them."""
    cid = row["custom_id"]
    kind, f = outcome(row)
    if kind == "error":
        return {"custom_id": cid, "response": {"body": {"error": {
            "message": f["message"], "type": "server_error", "param": None, "code": None}},
            "request_id": "req-" + cid, "status_code": 500}, "error": None}, True
    if kind == "prompt_filter":
        return {"custom_id": cid, "response": {"body": {"error": {
            "message": f["message"], "type": None, "param": "prompt", "code": "content_filter", "status": 400,
            "innererror": {"code": "ResponsibleAIPolicyViolation", "content_filter_result": {
                "hate": {"filtered": True, "severity": "high"}, "self_harm": SAFE, "sexual": SAFE,
                "violence": SAFE}}}}, "request_id": "req-" + cid, "status_code": 400}, "error": None}, True
    filtered = {"filtered": True, "severity": "high"} if kind == "output_filter" else SAFE
    choice = {"content_filter_results": {"hate": filtered, "self_harm": SAFE, "sexual": SAFE, "violence": SAFE},
              "finish_reason": f["finish"], "index": 0, "logprobs": None,
              "message": {"content": f["text"], "role": "assistant"}}
    body = {"choices": [choice], "created": f["created"], "id": f["id"], "model": "gpt-4o-mini-2024-07-18",
            "object": "chat.completion",
            "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {
                "hate": SAFE, "self_harm": SAFE, "sexual": SAFE, "violence": SAFE,
                "jailbreak": {"filtered": False, "detected": False}}}],
            "system_fingerprint": f["fp"],
            "usage": {"completion_tokens": f["tout"], "prompt_tokens": f["tin"], "total_tokens": f["tin"] + f["tout"]}}
    return {"custom_id": cid, "response": {"body": body, "request_id": "req-" + cid, "status_code": 200},
            "error": None}, False


# ---- Anthropic Message Batches and Bedrock (Claude InvokeModel) -------------------

CLAUDE_STOP = {"stop": "end_turn", "length": "max_tokens"}


def claude_message(kind, f, model):
    if kind in ("ok",):
        content, stop, tin, tout = [{"type": "text", "text": f["text"]}], CLAUDE_STOP[f["finish"]], f["tin"], f["tout"]
    else:  # either filter: a refusal, as Claude reports one
        content, stop, tin, tout = [], "refusal", f.get("tin", 0), 0
    return {"id": "msg_0", "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": tin, "output_tokens": tout, "cache_read_input_tokens": 0,
                      "cache_creation_input_tokens": 0}}


def anthropic_input(row):
    body = row["body"]
    system, msgs = split_messages(body)
    params = {"model": "claude-haiku-4-5", "max_tokens": body.get("max_tokens", 256), "system": system,
              "messages": msgs}
    return {"custom_id": row["custom_id"], "params": params}


def anthropic_result(row):
    kind, f = outcome(row)
    if kind == "error":
        result = {"type": "errored", "error": {"type": "error", "error": {"type": "api_error",
                                                                           "message": f["message"]},
                                               "request_id": None}}
    else:
        result = {"type": "succeeded", "message": claude_message(kind, f, "claude-haiku-4-5-20251001")}
    return {"custom_id": row["custom_id"], "result": result}


def bedrock_model_input(row):
    body = row["body"]
    system, msgs = split_messages(body)
    return {"anthropic_version": "bedrock-2023-05-31", "max_tokens": body.get("max_tokens", 256), "system": system,
            "messages": [{"role": m["role"], "content": [{"type": "text", "text": m["content"]}]} for m in msgs]}


def bedrock_input(row):
    return {"recordId": row["custom_id"], "modelInput": bedrock_model_input(row)}


def bedrock_result(row, model_input):
    kind, f = outcome(row)
    line = {"recordId": row["custom_id"], "modelInput": model_input}
    if kind == "error":
        line["error"] = {"errorCode": 500, "errorMessage": f["message"]}
    else:
        line["modelOutput"] = claude_message(kind, f, "claude-3-5-haiku-20241022")
    return line


# ---- Google: Vertex AI batch prediction and Gemini batch mode ----------------------

GOOGLE_FINISH = {"stop": "STOP", "length": "MAX_TOKENS", "content_filter": "SAFETY"}


def google_request(row, labels):
    body = row["body"]
    system, msgs = split_messages(body)
    req = {"contents": [{"role": "user", "parts": [{"text": m["content"]}]} for m in msgs],
           "systemInstruction": {"parts": [{"text": system}]},
           "generationConfig": {"maxOutputTokens": body.get("max_tokens", 256), "temperature": 0,
                                "responseMimeType": "application/json"}}
    if labels:
        req["labels"] = {"custom_id": row["custom_id"]}
    return req


def google_response(kind, f):
    if kind == "prompt_filter":
        return {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 0},
                "modelVersion": "gemini-2.0-flash-001"}
    text = f["text"] or ""
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                            "finishReason": GOOGLE_FINISH[f["finish"]], "avgLogprobs": -0.21}],
            "usageMetadata": {"promptTokenCount": f["tin"], "candidatesTokenCount": f["tout"],
                              "totalTokenCount": f["tin"] + f["tout"]},
            "modelVersion": "gemini-2.0-flash-001"}


INTERNAL = {"code": 500, "status": "INTERNAL"}


def vertex_input(row):
    return {"request": google_request(row, labels=True)}


def vertex_result(row, request):
    kind, f = outcome(row)
    if kind == "error":
        env = {"error": dict(INTERNAL, message=f["message"])}
        return {"status": "Internal Server Error: " + json.dumps(env), "processed_time": PROCESSED,
                "request": request, "response": {}}
    return {"status": "", "processed_time": PROCESSED, "request": request, "response": google_response(kind, f)}


def gemini_input(row):
    return {"key": row["custom_id"], "request": google_request(row, labels=False)}


def gemini_result(row):
    kind, f = outcome(row)
    if kind == "error":
        return {"key": row["custom_id"], "error": dict(INTERNAL, message=f["message"])}
    return {"response": google_response(kind, f), "key": row["custom_id"]}


# ---- driver ------------------------------------------------------------------------

def convert(src_in, src_out, d, providers=PROVIDERS):
    """Writes each provider's pair of files under d, through temporary names so that
    an interrupted run never leaves a partial file behind a complete name."""
    for p in providers:
        if p not in PROVIDERS:
            sys.exit("unknown provider %r (known: %s)" % (p, ", ".join(PROVIDERS)))
    paths = {p: {"in": os.path.join(d, p + "_in.jsonl"), "out": os.path.join(d, p + "_out.jsonl")}
             for p in providers}
    if "azure" in paths:
        paths["azure"]["errors"] = os.path.join(d, "azure_errors.jsonl")
    os.makedirs(d, exist_ok=True)
    files = {p: {k: open(v + ".tmp", "w", encoding="utf-8") for k, v in ps.items()} for p, ps in paths.items()}
    # The synthetic job lists input and result lines in the same order (row-0, row-1,
    # ...), so the two files are read in step: the result lines of Bedrock and
    # Vertex echo the request built from the input line beside them.
    with open(src_in, encoding="utf-8") as fi, open(src_out, encoding="utf-8") as fo:
        for n, (iline, oline) in enumerate(zip(fi, fo), 1):
            irow, orow = json.loads(iline), json.loads(oline)
            cid = irow["custom_id"]
            if orow["custom_id"] != cid:
                sys.exit("%s line %d: result %r beside input %r; the converter needs both files in the same order"
                         % (src_out, n, orow["custom_id"], cid))
            for p, fs in files.items():
                target = fs["out"]
                if p == "azure":
                    i = azure_input(irow)
                    o, is_error = azure_result(orow)
                    target = fs["errors"] if is_error else fs["out"]
                elif p == "anthropic":
                    i, o = anthropic_input(irow), anthropic_result(orow)
                elif p == "bedrock":
                    i = bedrock_input(irow)
                    o = bedrock_result(orow, i["modelInput"])
                elif p == "vertex":
                    i = vertex_input(irow)
                    o = vertex_result(orow, i["request"])
                else:
                    i, o = gemini_input(irow), gemini_result(orow)
                fs["in"].write(dumps(i) + "\n")
                target.write(dumps(o) + "\n")
        if next(fi, None) is not None or next(fo, None) is not None:
            sys.exit("%s and %s hold different numbers of lines" % (src_in, src_out))
    for p, fs in files.items():
        for k, f in fs.items():
            f.close()
            os.replace(paths[p][k] + ".tmp", paths[p][k])
    return paths


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    convert(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:] or PROVIDERS)


if __name__ == "__main__":
    main()
