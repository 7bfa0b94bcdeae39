#!/usr/bin/env node
/**
 * Puts our payee rules into a Testing Toolkit spec_files folder, in place:
 * our validation and callback rules become the active rule files (the shipped generic FSPIOP callback rules
 * 101-119 stay behind ours as a fallback), and system_config / user_config get our overlays plus the two
 * settings that depend on where the toolkit runs.
 *
 *   node apply-rules.cjs <spec_files dir> <adapter inbound URL> [toolkit API port]
 *
 * Used by peer.ts (local peer) and by docker-compose.yml (the toolkit container), so both run the same rules.
 * Plain Node with no dependencies: it runs inside the toolkit's own image.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const RULES_DIR = __dirname;

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function applyRules(specDir, settings) {
  const validationRules = readJson(path.join(RULES_DIR, 'rules_validation', 'pension-gateway.json'));
  writeJson(path.join(specDir, 'rules_validation', 'pension-gateway.json'), validationRules);
  writeJson(path.join(specDir, 'rules_validation', 'config.json'), { activeRulesFile: 'pension-gateway.json' });

  const shippedCallbackRules = readJson(path.join(specDir, 'rules_callback', 'default.json'));
  const fallback = shippedCallbackRules.filter((rule) => rule.ruleId >= 101 && rule.ruleId <= 119);
  const callbackRules = readJson(path.join(RULES_DIR, 'rules_callback', 'pension-gateway.json'));
  writeJson(path.join(specDir, 'rules_callback', 'pension-gateway.json'), [...callbackRules, ...fallback]);
  writeJson(path.join(specDir, 'rules_callback', 'config.json'), { activeRulesFile: 'pension-gateway.json' });

  const systemConfigPath = path.join(specDir, 'system_config.json');
  const systemConfig = { ...readJson(systemConfigPath), ...readJson(path.join(RULES_DIR, 'system_config.overlay.json')) };
  if (settings.apiPort !== undefined) systemConfig.API_PORT = settings.apiPort;
  writeJson(systemConfigPath, systemConfig);

  const userConfigPath = path.join(specDir, 'user_config.json');
  writeJson(userConfigPath, {
    ...readJson(userConfigPath),
    ...readJson(path.join(RULES_DIR, 'user_config.overlay.json')),
    CALLBACK_ENDPOINT: settings.adapterInboundUrl,
  });
}

module.exports = { applyRules };

if (require.main === module) {
  const [specDir, adapterInboundUrl, apiPort] = process.argv.slice(2);
  if (!specDir || !adapterInboundUrl) {
    console.error('usage: node apply-rules.cjs <spec_files dir> <adapter inbound URL> [toolkit API port]');
    process.exit(2);
  }
  applyRules(specDir, { adapterInboundUrl, apiPort: apiPort === undefined ? undefined : Number(apiPort) });
}
