#!/usr/bin/env node
// The conformance runner's oracle: @pgkit/migra in one long-running node process.
//
//   node migra_server.js <node_modules dir>
//
// Reads one JSON request per line on stdin, {"id": ..., "from": URL, "to": URL}, diffs the two
// databases with migra's JavaScript API (the same `run` its CLI calls, with --unsafe and
// --with-privileges, excluding schemac's own `schemac` schema), and writes one JSON answer per
// line on stdout, in request order: {"id": ..., "sql": "<statements, or empty>"} or
// {"id": ..., "error": "<message>"}. Starting node once instead of once per case saves ~3 s a case.
'use strict';
const path = require('path');
const readline = require('readline');

const modules = process.argv[2] && path.resolve(process.argv[2]);
if (!modules) {
  process.stderr.write('usage: migra_server.js <node_modules dir>\n');
  process.exit(64);
}
const migra = require(path.join(modules, '@pgkit', 'migra'));
const { createClient } = require(path.join(modules, '@pgkit', 'client'));

// @pgkit/client names every query it runs by parsing it (pgsql-ast-parser, in JavaScript); for
// schemainspect's large catalog queries that is most of a diff's time (~1 s of CPU per inspection).
// The name is only a label and the queries are the same for every case: remember it.
const naming = require(path.join(modules, '@pgkit', 'client', 'dist', 'naming'));
const nicknameOf = naming.nickname;
const nicknames = new Map();
naming.nickname = (query, options) => {
  if (options && options.debugAst) return nicknameOf(query, options);
  if (!nicknames.has(query)) nicknames.set(query, nicknameOf(query));
  return nicknames.get(query);
};

// migra's inspector logs notices such as "WARNING: Creating a duplicate database object..." with
// console.log/console.warn: keep stdout for the answers only.
console.log = (...args) => process.stderr.write(args.join(' ') + '\n');
console.warn = console.log;
console.info = console.log;

async function diff(from, to) {
  const a = createClient(from);
  const b = createClient(to);
  try {
    const m = await migra.run(a, b, { unsafe: true, withPrivileges: true, excludeSchema: ['schemac'] });
    return m.sql || '';
  } finally {
    await Promise.allSettled([a.end(), b.end()]);
  }
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
let queue = Promise.resolve();
rl.on('line', (line) => {
  if (!line.trim()) return;
  queue = queue.then(async () => {
    let req;
    try {
      req = JSON.parse(line);
      const sql = await diff(req.from, req.to);
      process.stdout.write(JSON.stringify({ id: req.id, sql }) + '\n');
    } catch (e) {
      const msg = (e && (e.stack || e.message)) || String(e);
      process.stdout.write(JSON.stringify({ id: req ? req.id : null, error: String(msg) }) + '\n');
    }
  });
});
rl.on('close', () => {
  queue.then(() => process.exit(0));
});
