-- Argo CD health of a SchemaMigration (inflight.dev/v1alpha1).
--   Healthy      the intent is reached (Ready=True): Completed, Finalized, or the Cancel /
--                Rollback / Finalize that was asked for
--   Suspended    waiting for a person: plan approval, the manual cut-over gate, or a pause
--   Degraded     Stalled=True: failed, refused, or unable to go on without help
--   Progressing  everything else: a phase at work, a wait that ends by itself (throttle, locks,
--                a database that restarts), a spec the operator has not observed yet, a deletion
-- Written for what Argo CD gives a health script: Lua 5.1 (gopher-lua) with the base and table
-- libraries only (no string library unless resource.customizations.useOpenLibs is set).
local hs = {}
hs.status = "Progressing"
hs.message = "Waiting for the Inflight operator"

if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  if obj.spec ~= nil and obj.spec.deletionPolicy == "Cleanup" then
    hs.message = "Being deleted: deletionPolicy Cleanup cancels or finalizes the migration first"
  else
    hs.message = "Being deleted: deletionPolicy Retain leaves the database as it is"
  end
  return hs
end

if obj.status == nil or obj.status.conditions == nil then
  return hs
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and observed ~= nil and observed < generation then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local conditions = {}
for _, c in ipairs(obj.status.conditions) do
  conditions[c.type] = c
end

local function describe(c)
  local text = c.reason or ""
  if c.message ~= nil and c.message ~= "" then
    text = text .. ": " .. c.message
  end
  return text
end

local stalled = conditions["Stalled"]
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled)
  return hs
end

local ready = conditions["Ready"]
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = obj.status.message or obj.status.phase or "Ready"
  return hs
end

local reconciling = conditions["Reconciling"]
if reconciling ~= nil and reconciling.status == "True" then
  local reason = reconciling.reason
  if reason == "AwaitingApproval" or reason == "AwaitingCutover" or reason == "Paused" then
    hs.status = "Suspended"
    hs.message = describe(reconciling)
    return hs
  end
end

hs.message = obj.status.message or obj.status.phase or hs.message
return hs
