"""Load: wrk (closed loop, fixed connections) and the open-loop constant-rate generator."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import orjson
from harness.servers import BENCH

WRK = "/usr/bin/wrk"

# Every response body is checked: a GraphQL error or a non-empty userErrors counts as an error (not a
# field named "code", which a read may select).
_LUA = r"""
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  errors = 0
  sent = 0
  math.randomseed(os.time() * 1000 + id)
  run = os.time() %% 200
end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) or string.find(body, '"userErrors":[{', 1, true) then
    errors = errors + 1
    if errors == 1 then io.stderr:write(string.sub(body, 1, 300) .. "\n") end
  end
end
%(request)s
function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do errs = errs + t:get("errors") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "p50": %%d, "p90": %%d, "p99": %%d, "max": %%d, "mean": %%f, ' ..
    '"socket_errors": %%d, "non2xx": %%d, "body_errors": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, e.connect + e.read + e.write + e.timeout, e.status, errs))
end
"""

_FIXED = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
wrk.body = [==[%(body)s]==]
"""

# W4: the owner re-records his or her indicators in the open quarters, a random value each time.
_W4 = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
local indicators = {%(indicators)s}
local periods = {%(periods)s}
local template = [==[%(body)s]==]
request = function()
  sent = sent + 1
  local body = string.gsub(template, "INDICATOR", indicators[sent %% #indicators + 1])
  body = string.gsub(body, "PERIOD", periods[math.floor(sent / #indicators) %% #periods + 1])
  body = string.gsub(body, "VALUE", tostring(math.random(1, 12)))
  return wrk.format(nil, nil, nil, body)
end
"""

# W6: citizens from distinct addresses (X-Forwarded-For, trusted from 127.0.0.1 by uvicorn) with random scores.
_W6 = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local services = {%(services)s}
local template = [==[%(body)s]==]
request = function()
  sent = sent + 1
  local scores = {}
  for i = 1, 9 do scores[i] = tostring(math.random(1, 4)) end
  local body = string.gsub(template, "SCORES", table.concat(scores, ","))
  body = string.gsub(body, "SERVICE", services[sent %% #services + 1])
  local ip = string.format("10.%%d.%%d.%%d", (run + id * 37) %% 250, math.floor(sent / 250) %% 250, sent %% 250)
  return wrk.format(nil, nil, {["X-Forwarded-For"] = ip, ["Content-Type"] = "application/json"}, body)
end
"""


def _quoted(items: list[str]) -> str:
    return ", ".join(f'"{i}"' for i in items)


def lua_script(path: str, body: dict, token: str | None, *, kind: str = "fixed", **lists) -> str:
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    text = orjson.dumps(body).decode()
    if kind == "W4":
        request = _W4 % {"auth": auth, "body": text, "indicators": _quoted(lists["indicators"]),
                         "periods": _quoted(lists["periods"])}
    elif kind == "W6":
        request = _W6 % {"body": text, "services": _quoted(lists["services"])}
    else:
        request = _FIXED % {"auth": auth, "body": text}
    with open(path, "w") as f:
        f.write(_LUA % {"request": request})
    return path


def wrk(url: str, script: str, connections: int, seconds: float, cpus: str | None, threads: int = 2) -> dict:
    command = [WRK, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--latency", "--timeout", "10s", "-s", script, url]
    if cpus:
        command = ["taskset", "-c", cpus, *command]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    result = json.loads(line[len("RESULT "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["first_error"] = done.stderr.strip()[:300]
    for key in ("p50", "p90", "p99", "max", "mean"):
        result[key] = result[key] / 1000  # ms
    return result


def open_loop(url: str, body: dict, token: str | None, rate: float, seconds: float, cpus: str | None) -> dict:
    """p50/p99 at a fixed arrival rate, from a separate process (bench/harness/openloop.py)."""
    command = [sys.executable, os.path.join(BENCH, "harness", "openloop.py"), "--url", url, "--rate", str(rate),
               "--seconds", str(seconds)]
    if token:
        command += ["--token", token]
    if cpus:
        command = ["taskset", "-c", cpus, *command]
    done = subprocess.run(command, input=orjson.dumps(body), capture_output=True, check=True)
    return json.loads(done.stdout)
