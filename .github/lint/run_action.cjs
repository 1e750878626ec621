#!/usr/bin/env node
// run_action.cjs: runs a composite action's `run:` steps on this machine the way a GitHub runner
// would, so that the action's scripts - not only its syntax - are tested without GitHub.
//
// What a runner provides is faked in a scratch directory: RUNNER_TEMP, GITHUB_OUTPUT (one file
// per step, read back into steps.ID.outputs), GITHUB_STEP_SUMMARY, GITHUB_ENV, GITHUB_ACTION_PATH.
// Each `run:` step goes to `bash --noprofile --norc -eo pipefail FILE`, GitHub's command for
// `shell: bash`, with the step's env. Steps without `if:` run only while every step before
// succeeded; `if: always()` runs regardless (no other `if:` is understood). `uses:` steps (e.g.
// actions/upload-artifact) cannot run here and are reported as skipped. Expressions understood:
// inputs.NAME, steps.ID.outputs.NAME, runner.temp, github.action_path; any other is an error,
// so the action cannot silently depend on something this runner fakes wrongly.
//
// Usage: node run_action.cjs ACTION.yml [NAME=VALUE]... (the inputs)
// Prints one line per step, then a JSON line {"conclusion": ..., "outputs": {...}, "summary": ...,
// "scratch": DIR}. Exit 0 when the action succeeded, 1 when it failed, 2 on a setup error.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

function loadYaml() {
  try {
    return require(path.join(__dirname, "node_modules", "yaml"));
  } catch (e) {
    console.error("run_action: the yaml package is not installed (scripts/install-deps.sh lint): " + e.message);
    process.exit(2);
  }
}

function main() {
  const [file, ...pairs] = process.argv.slice(2);
  if (!file) {
    console.error("usage: run_action.cjs ACTION.yml [NAME=VALUE]...");
    process.exit(2);
  }
  const action = loadYaml().parse(fs.readFileSync(file, "utf8"));
  const inputs = {};
  for (const [name, spec] of Object.entries(action.inputs || {}))
    inputs[name] = spec && spec.default !== undefined ? String(spec.default) : "";
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const name = eq > 0 ? pair.slice(0, eq) : "";
    if (!(name in inputs)) {
      console.error(`run_action: the action has no input "${name || pair}"`);
      process.exit(2);
    }
    inputs[name] = pair.slice(eq + 1);
  }
  for (const [name, spec] of Object.entries(action.inputs || {}))
    if (spec && spec.required && inputs[name] === "") {
      console.error(`run_action: input "${name}" is required`);
      process.exit(2);
    }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "run-action-"));
  const runnerTemp = path.join(scratch, "runner-temp");
  fs.mkdirSync(runnerTemp);
  const summaryFile = path.join(scratch, "step-summary.md");
  fs.writeFileSync(summaryFile, "");
  const actionPath = path.resolve(path.dirname(file));
  const steps = {};

  const evaluate = (text) =>
    String(text).replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (whole, expr) => {
      let m;
      if ((m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expr))) {
        if (!(m[1] in inputs)) throw new Error(`unknown input in ${whole}`);
        return inputs[m[1]];
      }
      if ((m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr)))
        return (steps[m[1]] && steps[m[1]].outputs[m[2]]) || "";
      if (expr === "runner.temp") return runnerTemp;
      if (expr === "github.action_path") return actionPath;
      throw new Error(`expression not understood by this runner: ${whole}`);
    });

  let failed = false;
  (action.runs.steps || []).forEach((step, i) => {
    const label = step.name || step.id || `step ${i + 1}`;
    if (step.if !== undefined && String(step.if).trim() !== "always()")
      throw new Error(`${label}: if: ${step.if} is not understood by this runner`);
    if (failed && step.if === undefined) {
      console.log(`- ${label}: skipped (an earlier step failed)`);
      return;
    }
    if (step.uses) {
      console.log(`- ${label}: skipped (uses ${step.uses} cannot run here)`);
      return;
    }
    if (step.shell !== "bash") throw new Error(`${label}: shell ${step.shell} is not understood by this runner`);
    const outputFile = path.join(scratch, `output-${i}`);
    fs.writeFileSync(outputFile, "");
    const script = path.join(scratch, `step-${i}.sh`);
    fs.writeFileSync(script, evaluate(step.run));
    const env = { ...process.env };
    for (const [name, value] of Object.entries(step.env || {})) env[name] = evaluate(value);
    Object.assign(env, {
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_ENV: path.join(scratch, "github-env"),
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_ACTIONS: "true",
    });
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
    const outputs = {};
    for (const line of fs.readFileSync(outputFile, "utf8").split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (step.id) steps[step.id] = { outputs };
    const ok = r.status === 0;
    failed = failed || !ok;
    console.log(`- ${label}: ${ok ? "success" : `failure (exit ${r.status === null ? r.signal : r.status})`}`);
    for (const line of `${r.stdout}${r.stderr}`.split("\n"))
      if (line.startsWith("::error::")) console.log(`  ${line}`);
  });
  const outputs = {};
  for (const [name, spec] of Object.entries(action.outputs || {})) outputs[name] = evaluate(spec.value);
  console.log(
    JSON.stringify({
      conclusion: failed ? "failure" : "success",
      outputs,
      summary: fs.readFileSync(summaryFile, "utf8"),
      scratch,
    }),
  );
  process.exit(failed ? 1 : 0);
}

try {
  main();
} catch (e) {
  console.error("run_action: " + e.message);
  process.exit(2);
}
