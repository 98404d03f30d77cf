// check.js: the second and third opinion on one SARIF file, after the Multitool.
//
//   node check.js FILE MULTITOOL_LOG MULTITOOL_STATUS
//
// 1. reads the Multitool's own output log (it exits 0 even when it found errors);
// 2. validates FILE against the SARIF 2.1.0 JSON Schema shipped in the Multitool package
//    (the Multitool says nothing about, e.g., a "level" outside the enum);
// 3. applies the limits and checks of GitHub's code-scanning upload
//    (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
// Prints one line per problem and a verdict line; exit 0 = valid, 1 = invalid.
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const [file, mtLog, mtStatus] = process.argv.slice(2);
const here = __dirname;
const schemaPath = path.join(here, 'node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json');
const strict = process.env.SARIF_VALIDATE_STRICT === '1';

const problems = { error: 0, warning: 0 };
function report(level, check, text) {
  problems[level]++;
  console.log(`  ${level} [${check}] ${text}`);
}
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v) => typeof v === 'string' && v.trim() !== '';

// messageOf renders a result's message: its text, or the rule's message string it names, with
// the {0}, {1}, ... placeholders filled from its arguments.
function messageOf(result, rule) {
  const m = result.message || {};
  let text = m.text;
  if (!text && m.id) text = ((rule.messageStrings || {})[m.id] || {}).text || m.id;
  return (text || '').replace(/\{(\d+)\}/g, (all, n) => ((m.arguments || [])[n] !== undefined ? m.arguments[n] : all));
}

// 1. The Multitool's findings, from its output log.
function multitool() {
  if (mtStatus !== '0') report('error', 'multitool', `the Multitool exited with status ${mtStatus}`);
  let log;
  try {
    log = JSON.parse(fs.readFileSync(mtLog, 'utf8'));
  } catch (e) {
    report('error', 'multitool', `its output log cannot be read: ${e.message}`);
    return;
  }
  for (const run of log.runs || []) {
    const rules = (run.tool && run.tool.driver && run.tool.driver.rules) || [];
    for (const r of run.results || []) {
      const rule = rules[r.ruleIndex] || rules.find((x) => x.id === r.ruleId) || {};
      const level = r.level || (rule.defaultConfiguration || {}).level || 'warning';
      const text = messageOf(r, rule).split('\n')[0];
      if (level === 'error' || level === 'warning') report(level, `multitool ${r.ruleId}`, text);
    }
    for (const inv of run.invocations || []) {
      if (inv.executionSuccessful === false) report('error', 'multitool', 'the validation did not complete');
      for (const n of inv.toolExecutionNotifications || []) {
        const text = ((n.message && n.message.text) || '').split('\n')[0];
        report(n.level === 'error' ? 'error' : 'warning', 'multitool', text);
      }
    }
  }
}

// 2. The JSON Schema.
function schema(log) {
  const Ajv2020 = require(path.join(here, 'node_modules/ajv/dist/2020'));
  const addFormats = require(path.join(here, 'node_modules/ajv-formats'));
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
  if (validate(log)) return;
  const shown = validate.errors.slice(0, 40);
  for (const e of shown) {
    const p = e.params || {};
    const detail = p.allowedValues ? ` (one of: ${p.allowedValues.join(', ')})` : p.additionalProperty ? ` ('${p.additionalProperty}')` : '';
    report('error', 'schema', `${e.instancePath || '/'} ${e.message}${detail}`);
  }
  if (validate.errors.length > shown.length) report('error', 'schema', `${validate.errors.length - shown.length} more schema errors`);
}

// 3. GitHub's upload rules.
const limits = { gzipBytes: 10 * 1024 * 1024, runs: 20, rules: 25000, results: 25000, locations: 1000, tags: 20, extensions: 100 };

function github(raw, log) {
  const gz = zlib.gzipSync(raw).length;
  if (gz > limits.gzipBytes) report('error', 'github', `${gz} bytes gzip-compressed; uploads are limited to 10 MB`);
  if (!isText(log.$schema)) report('warning', 'github', '$schema is missing');
  if (!Array.isArray(log.runs)) {
    report('error', 'github', 'runs[] is missing');
    return;
  }
  if (log.runs.length > limits.runs) report('error', 'github', `${log.runs.length} runs; at most ${limits.runs} per file`);
  // GitHub refuses a file with two runs of the same tool and category.
  const categories = new Map();
  log.runs.forEach((run, i) => {
    const tool = run && run.tool && run.tool.driver && run.tool.driver.name;
    const id = (run && run.automationDetails && run.automationDetails.id) || '';
    const key = `${tool}\u0000${id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : ''}`;
    if (categories.has(key)) report('error', 'github', `/runs/${i} repeats the tool and category of /runs/${categories.get(key)}`);
    else categories.set(key, i);
    checkRun(run, `/runs/${i}`);
  });
}

function checkRun(run, at) {
  const driver = run && run.tool && run.tool.driver;
  if (!isObject(driver) || !isText(driver.name)) report('error', 'github', `${at}/tool/driver/name is required`);
  const rules = (driver && driver.rules) || [];
  if (rules.length > limits.rules) report('error', 'github', `${at}: ${rules.length} rules; at most ${limits.rules}`);
  const extensions = (run && run.tool && run.tool.extensions) || [];
  if (extensions.length > limits.extensions) report('error', 'github', `${at}: ${extensions.length} tool extensions; at most ${limits.extensions}`);
  rules.forEach((rule, j) => {
    if (!isObject(rule)) return;
    if (!isText(rule.id)) report('error', 'github', `${at}/tool/driver/rules/${j}/id is required`);
    const props = rule.properties || {};
    if (Array.isArray(props.tags) && props.tags.length > limits.tags) report('error', 'github', `${at}/tool/driver/rules/${j}: ${props.tags.length} tags; at most ${limits.tags}`);
    if ('security-severity' in props) {
      const s = props['security-severity'];
      if (typeof s !== 'string' || !(Number(s) > 0 && Number(s) <= 10)) report('warning', 'github', `${at}/tool/driver/rules/${j}: security-severity must be a string holding a number in (0, 10]`);
    }
  });
  if (!Array.isArray(run && run.results)) {
    report('error', 'github', `${at}/results[] is required (it may be empty)`);
    return;
  }
  if (run.results.length > limits.results) report('error', 'github', `${at}: ${run.results.length} results; at most ${limits.results}`);
  let withoutFingerprints = 0;
  run.results.forEach((res, k) => {
    const r = `${at}/results/${k}`;
    if (!isObject(res)) return;
    if (!(res.message && isText(res.message.text))) report('error', 'github', `${r}/message/text must be a non-empty string`);
    if (!Array.isArray(res.locations) || res.locations.length === 0) {
      report('error', 'github', `${r} has no location; GitHub rejects the whole file`);
      return;
    }
    if (res.locations.length > limits.locations) report('error', 'github', `${r}: ${res.locations.length} locations; at most ${limits.locations}`);
    const phys = res.locations[0] && res.locations[0].physicalLocation;
    const uri = phys && phys.artifactLocation && phys.artifactLocation.uri;
    if (!isText(uri)) report('error', 'github', `${r}/locations/0/physicalLocation/artifactLocation/uri must be a non-empty string`);
    else if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri) && !/^file:/i.test(uri)) report('error', 'github', `${r}/locations/0: '${uri}' is neither a relative path nor a file: URI`);
    const region = phys && phys.region;
    if (!(region && Number.isInteger(region.startLine) && region.startLine >= 1)) report('error', 'github', `${r}/locations/0/physicalLocation/region/startLine must be an integer >= 1`);
    if (!isObject(res.partialFingerprints) || Object.keys(res.partialFingerprints).length === 0) withoutFingerprints++;
  });
  if (withoutFingerprints > 0) report('warning', 'github', `${at}: ${withoutFingerprints} result(s) without partialFingerprints`);
}

multitool();
let raw;
let log;
try {
  raw = fs.readFileSync(file);
  log = JSON.parse(raw.toString('utf8'));
} catch (e) {
  report('error', 'json', `${file} is not JSON: ${e.message}`);
}
if (log !== undefined) {
  schema(log);
  if (isObject(log)) github(raw, log);
  else report('error', 'json', 'the top level is not an object');
}
const invalid = problems.error > 0 || (strict && problems.warning > 0);
console.log(`${invalid ? 'FAIL' : 'OK'}: ${file}: ${problems.error} error(s), ${problems.warning} warning(s)`);
process.exit(invalid ? 1 : 0);
