-- wrk script for bench_server.py: every request is one boundary-matrix answer of one joined learner.
--
--   wrk -t T -c C -d 10s -s answers.lua URL -- TOKENS_FILE ACKS_PREFIX EPOCH T
--
-- TOKENS_FILE has one learner token a line. Learner i belongs to thread i % T; each thread sends for its
-- own learners in turn (wrk gives a script no per-connection hook, so a learner's answers go out one after
-- another from its thread, as from one kernel's outbox). A learner's k-th answer in run EPOCH has
--   seq = ((EPOCH * 100000) + k) * L + i + 1        (L learners)
-- so seqs keep growing across runs and every seq names its learner (i) and its item (B01..B27 by k).
-- Each thread writes the seqs the server accepted to ACKS_PREFIX.<thread>, one a line; bench_server.py
-- checks every one of them is in the store afterwards.
local counter = 0
local threads = {}
local options = {"never", "maybe", "always"}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  learners = {}
  local all = {}
  for line in io.lines(args[1]) do table.insert(all, line) end
  total = #all
  epoch = tonumber(args[3])
  local t = tonumber(args[4])
  for i, token in ipairs(all) do
    if (i - 1) % t == tid then
      table.insert(learners, {index = i - 1, header = "Bearer " .. token, k = 0})
    end
  end
  nextone = 1
  accepted = 0
  refused = 0
  acks = io.open(args[2] .. "." .. tid, "w")
  acks:setvbuf("full")
end

function request()
  local learner = learners[nextone]
  nextone = nextone % #learners + 1
  learner.k = learner.k + 1
  local seq = (epoch * 100000 + learner.k) * total + learner.index + 1
  local item = string.format("B%02d", (learner.k - 1) % 27 + 1)
  local value = options[(learner.k + learner.index) % 3 + 1]
  local body = '{"answers":[{"seq":' .. string.format("%d", seq) .. ',"exercise":"boundaries","item":"' .. item
    .. '","value":"' .. value .. '"}]}'
  return wrk.format("POST", "/api/v1/me/answers",
    {["Authorization"] = learner.header, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  local seq = status == 200 and body:match('"accepted":%[(%d+)')
  if seq then
    accepted = accepted + 1
    acks:write(seq, "\n")
  else
    refused = refused + 1
    if refused <= 3 then io.stderr:write("refused: ", status, " ", body:sub(1, 300), "\n") end
  end
  if accepted % 256 == 0 then acks:flush() end
end

function done(summary, latency, requests)
  local accepted, refused = 0, 0
  for _, thread in ipairs(threads) do
    accepted = accepted + thread:get("accepted")
    refused = refused + thread:get("refused")
  end
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "accepted": %d, "refused": %d, '
    .. '"p50_us": %d, "p99_us": %d, "max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d}}\n', summary.requests, summary.duration, accepted, refused,
    latency:percentile(50), latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status,
    e.timeout))
end
