"""Runs one cell in a kernel of a running Jupyter Notebook server through its websocket, as the browser does.

    /usr/bin/python3 test/notebooks/notebook_ws.py BASE_URL TOKEN KERNEL_ID CODE

Prints the execute_reply status and each output as JSON lines (`{"msg_type": ..., "content": ...}`).
Uses tornado's websocket client (Debian's python3-tornado, which the Notebook itself runs on).
"""

import asyncio
import json
import sys
import uuid

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect


async def main(base, token, kernel_id, code):
    url = f"{base.replace('http', 'ws', 1)}api/kernels/{kernel_id}/channels?token={token}"
    # The server answers the websocket once the kernel is ready: allow for a slow kernel start on a busy machine.
    ws = await websocket_connect(HTTPRequest(url, connect_timeout=180, request_timeout=180))
    msg_id = uuid.uuid4().hex
    ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request",
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    replied = idle = False
    while not (replied and idle):
        raw = await asyncio.wait_for(ws.read_message(), 180)
        if raw is None:
            raise SystemExit("the websocket closed")
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "execute_reply":
            replied = True
            print(json.dumps({"msg_type": kind, "content": {"status": msg["content"]["status"]}}), flush=True)
        elif kind == "status":
            idle = idle or msg["content"]["execution_state"] == "idle"
        elif kind != "execute_input":
            print(json.dumps({"msg_type": kind, "content": msg["content"]}), flush=True)
    ws.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
