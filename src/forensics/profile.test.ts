import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findArguments } from './collectors/script.js';
import { defaultProfile } from './profile.js';

/** What one artifact of the default profile collects from a tree, with the collector's own find. */
function collectedBy(id: string, root: string): string[] {
  const artifact = defaultProfile.artifacts.find((candidate) => candidate.id === id);
  if (!artifact) throw new Error(`no artifact ${id}`);
  const command = `cd '${root}' && ${findArguments(artifact, { sizeCap: true })} -print 2>/dev/null; true`;
  return execFileSync('sh', ['-c', command], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

describe('the default triage profile', () => {
  it('collects web roots, upload directories, server-side scripts and shell rc files, without dependency trees', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-profile-'));
    const files: Record<string, string> = {
      'var/www/html/index.html': '<html/>',
      'var/www/html/wp-content/uploads/2024/x.php': '<?php',
      'var/www/html/node_modules/left-pad/index.php': '<?php',
      'usr/share/nginx/html/50x.html': 'error',
      'app/uploads/avatar.jpg': 'jpeg',
      'app/server.js': 'js',
      'app/public/shell.jsp': '<%',
      'opt/legacy/cgi-bin/status.cgi': '#!/bin/sh',
      'root/.profile': 'PATH=x',
      'home/app/.bashrc': 'alias ll=ls',
      'home/app/notes.txt': 'notes',
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    expect(collectedBy('files.web', root)).toEqual([
      './usr/share/nginx/html/50x.html',
      './var/www/html/index.html',
      './var/www/html/wp-content/uploads/2024/x.php',
    ]);
    expect(collectedBy('files.uploads', root)).toEqual(['./app/uploads/avatar.jpg']);
    expect(collectedBy('files.app-scripts', root)).toEqual([
      './app/public/shell.jsp',
      './opt/legacy/cgi-bin/status.cgi',
    ]);
    expect(collectedBy('files.shell-rc', root)).toEqual(['./home/app/.bashrc', './root/.profile']);
  });
});
