import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../../test/support/cli.js';
import { craftPackage } from '../../../test/support/evidence-package.js';
import { openPackage } from './triage.js';
import { loadYaraRules, scanWithYara } from './yara.js';

function ruleDirectory(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'gatehouse-yara-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(directory, name, '..'), { recursive: true });
    writeFileSync(join(directory, name), text);
  }
  return directory;
}

const godzilla = `
rule godzilla_jsp : webshell {
  meta:
    description = "Godzilla JSP webshell loader"
    severity = "critical"
  strings:
    $loader = "defineClass" ascii
    $key = /pass\\s*=\\s*"[a-z]+"/
  condition:
    all of them and filepath matches /\\/webapps\\//
}`;
const anywhere = 'rule marker { strings: $a = "GATEHOUSE-MARK" condition: $a }';
const clearScreen = 'rule clear_screen { strings: $esc = { 1b 5b 32 4a } condition: $esc }';

describe('user YARA rules over collected files', () => {
  it('reports each match with the rule, the container path and the matched bytes, escaped', () => {
    const root = craftPackage({
      files: [
        {
          source: '/usr/local/tomcat/webapps/ROOT/x.jsp',
          artifact: 'files.web',
          content: '<% String pass="pass"; ClassLoader l; l.defineClass(b, 0, b.length); %>',
        },
        { source: '/tmp/copy.jsp', artifact: 'files.tmp', content: 'pass="pass" defineClass' },
        { source: '/tmp/escape', artifact: 'files.tmp', content: 'xxxxGATEHOUSE-MARK\u001b[2J' },
      ],
    });
    const rules = loadYaraRules(
      ruleDirectory({
        'web/godzilla.yar': godzilla,
        'mark.yara': anywhere,
        'esc.yar': clearScreen,
        README: 'x',
      }),
    );
    expect(rules.files.map((file) => file.slice(rules.directory.length))).toEqual([
      '/esc.yar',
      '/mark.yara',
      '/web/godzilla.yar',
    ]);
    const scan = scanWithYara(openPackage(root), rules);
    expect(scan.problems).toEqual([]);
    expect(scan.indicators).toEqual([
      {
        id: 'yara:godzilla_jsp',
        severity: 'critical',
        title: 'Godzilla JSP webshell loader',
        why: `user YARA rule web_godzilla_yar.godzilla_jsp [webshell] from ${rules.directory}`,
        reason: '$loader at 40: defineClass; $key at 10: pass="pass"',
        where: '/usr/local/tomcat/webapps/ROOT/x.jsp',
      },
      {
        id: 'yara:clear_screen',
        severity: 'high',
        title: 'YARA rule clear_screen',
        why: `user YARA rule esc_yar.clear_screen from ${rules.directory}`,
        reason: '$esc at 18: \\u001b[2J',
        where: '/tmp/escape',
      },
      {
        id: 'yara:marker',
        severity: 'high',
        title: 'YARA rule marker',
        why: `user YARA rule mark_yara.marker from ${rules.directory}`,
        reason: '$a at 4: GATEHOUSE-MARK',
        where: '/tmp/escape',
      },
    ]);
  });

  it('names the rule file that does not compile, and refuses a directory without rules', () => {
    const broken = ruleDirectory({ 'good.yar': anywhere, 'bad.yar': 'rule bad { condition: $nope }' });
    expect(() => loadYaraRules(broken)).toThrow(`YARA rule file ${join(broken, 'bad.yar')} does not compile`);
    expect(() => loadYaraRules(ruleDirectory({ 'notes.txt': 'x' }))).toThrow('no .yar or .yara files in');
    expect(() => loadYaraRules('/nonexistent/rules')).toThrow('--yara /nonexistent/rules is not a directory');
  });

  it('adds YARA matches to `evidence indicators --yara DIR`, beside the built-in rules', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gatehouse-home-'));
    const id = '20261201T000000Z-0123abcd';
    craftPackage(
      {
        files: [
          { source: '/var/www/html/up.php', artifact: 'files.web', content: "<?php system($_GET['c']); ?>" },
          { source: '/tmp/m', artifact: 'files.tmp', content: 'GATEHOUSE-MARK' },
        ],
      },
      join(home, 'evidence', id),
    );
    const rules = ruleDirectory({ 'mark.yar': anywhere });
    const run = await cli(['evidence', 'indicators', id, '--yara', rules, '-o', 'json'], {
      GATEHOUSE_HOME: home,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const found = JSON.parse(run.stdout) as { id: string; where: string }[];
    expect(found.map((indicator) => `${indicator.id} ${indicator.where}`)).toEqual([
      'webshell /var/www/html/up.php:1',
      'yara:marker /tmp/m',
    ]);
    const refused = await cli(['evidence', 'indicators', id, '--yara', join(rules, 'missing')], {
      GATEHOUSE_HOME: home,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('is not a directory');
  });
});
