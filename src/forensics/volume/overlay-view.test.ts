import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerFilesystem } from './container-view.js';
import { parseFindTests } from './find-tests.js';
import { type EntryType, type LayerEntry, type LayerListing, scanLayer } from './layer-scan.js';
import { containerChanges, mergeLayers } from './overlay-view.js';
import { readViewFile, resolveInView } from './view-files.js';
import { globPattern, selectInView } from './view-select.js';

function layer(dir: string, entries: readonly [string, EntryType, Partial<LayerEntry>?][]): LayerListing {
  return {
    dir,
    opaqueKnown: true,
    anomalies: [],
    entries: entries.map(([path, type, extra]) => ({
      path,
      type,
      size: 0,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: '2026-01-01T00:00:00.000Z',
      atime: '2026-01-01T00:00:00.000Z',
      ctime: '2026-01-01T00:00:00.000Z',
      inode: 1,
      ...extra,
    })),
  };
}

describe('stacking layers as overlayfs does', () => {
  it('applies OCI-style whiteout files and opaque markers as well as overlay ones', () => {
    const bottom = layer('1', [
      ['etc', 'directory'],
      ['etc/a', 'file'],
      ['etc/b', 'file'],
      ['var', 'directory'],
      ['var/x', 'file'],
    ]);
    const top = layer('2', [
      ['etc', 'directory'],
      ['etc/.wh.a', 'file'],
      ['var', 'directory'],
      ['var/.wh..wh..opq', 'file'],
      ['var/y', 'file'],
    ]);
    expect([...mergeLayers([bottom, top]).keys()].sort()).toEqual(['etc', 'etc/b', 'var', 'var/y']);
  });

  it('hides a directory’s contents when a higher layer puts a file at its path, and a whole subtree on a whiteout', () => {
    const bottom = layer('1', [
      ['a', 'directory'],
      ['a/deep', 'directory'],
      ['a/deep/f', 'file'],
      ['b', 'directory'],
      ['b/g', 'file'],
    ]);
    const top = layer('2', [
      ['a', 'file'],
      ['b', 'whiteout'],
    ]);
    const view = mergeLayers([bottom, top]);
    expect([...view.keys()]).toEqual(['a']);
    expect(view.get('a')).toMatchObject({ type: 'file', layer: 1 });
  });

  it('reports a whiteout of something the image never had as a deletion of an unknown entry', () => {
    const changes = containerChanges(
      [layer('1', [['etc', 'directory']])],
      layer('2', [
        ['etc', 'directory'],
        ['etc/ghost', 'whiteout'],
      ]),
    );
    expect(changes).toEqual([
      expect.objectContaining({ path: 'etc/ghost', kind: 'deleted', type: 'unknown' }),
    ]);
  });

  it('reports a directory the container emptied and refilled as replaced, with its new contents as added', () => {
    const image = layer('1', [
      ['srv', 'directory'],
      ['srv/old', 'file'],
    ]);
    const upper = layer('2', [
      ['srv', 'directory', { opaque: true }],
      ['srv/new', 'file'],
    ]);
    expect(containerChanges([image], upper).map(({ path, kind }) => `${kind} ${path}`)).toEqual([
      'replaced-directory srv',
      'added srv/new',
    ]);
  });
});

describe('scanning a hostile layer directory', () => {
  it('records links without following them, refuses a layer that is itself a link, and stops at the entry limit', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-layer-'));
    try {
      mkdirSync(join(root, 'layer', 'etc'), { recursive: true });
      symlinkSync('/', join(root, 'layer', 'escape'));
      symlinkSync('../../../../etc/shadow', join(root, 'layer', 'etc', 'shadow'));
      writeFileSync(join(root, 'layer', 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
      const listing = scanLayer(root, 'layer');
      expect(listing.entries.map((entry) => [entry.path, entry.type, entry.linkTarget])).toEqual([
        ['escape', 'symlink', '/'],
        ['etc', 'directory', undefined],
        ['etc/passwd', 'file', undefined],
        ['etc/shadow', 'symlink', '../../../../etc/shadow'],
      ]);
      symlinkSync(join(root, 'layer'), join(root, 'linked'));
      expect(() => scanLayer(root, 'linked')).toThrow(/missing or is a link/);
      const capped = scanLayer(root, 'layer', { maxEntries: 2 });
      expect(capped.entries).toHaveLength(2);
      expect(capped.anomalies).toEqual(['stopped after 2 entries; the rest of the layer is not listed']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('lists a huge sparse file the container added without reading it, saying why it is not hashed', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-layer-'));
    try {
      mkdirSync(join(root, 'lower'));
      mkdirSync(join(root, 'upper'));
      writeFileSync(join(root, 'upper', 'small'), 'x');
      writeFileSync(join(root, 'upper', 'huge'), '');
      truncateSync(join(root, 'upper', 'huge'), 300 * 1024 * 1024);
      const { changes, anomalies } = containerFilesystem(root, {
        snapshotId: '1',
        kind: 'active',
        upper: 'upper',
        lowers: ['lower'],
      });
      expect(changes.map(({ path, kind, size, sha256 }) => ({ path, kind, size, sha256 }))).toEqual([
        { path: 'huge', kind: 'added', size: 314_572_800, sha256: undefined },
        { path: 'small', kind: 'added', size: 1, sha256: createHash('sha256').update('x').digest('hex') },
      ]);
      expect(anomalies).toEqual([
        {
          dir: 'upper',
          message: 'huge: not hashed (314572800 bytes, over the 268435456-byte hashing limit)',
        },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps every link inside the container: absolute, climbing and looping links never reach the host', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-layer-'));
    try {
      mkdirSync(join(root, 'lower', 'etc'), { recursive: true });
      writeFileSync(join(root, 'lower', 'etc', 'passwd'), 'container passwd\n');
      mkdirSync(join(root, 'upper'));
      symlinkSync('../../../../../etc/passwd', join(root, 'upper', 'climb'));
      symlinkSync('/etc/passwd', join(root, 'upper', 'absolute'));
      symlinkSync('/', join(root, 'upper', 'top'));
      symlinkSync('loop-b', join(root, 'upper', 'loop-a'));
      symlinkSync('loop-a', join(root, 'upper', 'loop-b'));
      const layers = { snapshotId: '1', kind: 'active' as const, upper: 'upper', lowers: ['lower'] };
      const { view } = containerFilesystem(root, layers);
      const read = (path: string) => readViewFile({ root, layers, view, path, maxBytes: 1024 }).toString();
      expect(read('/climb')).toBe('container passwd\n');
      expect(read('/absolute')).toBe('container passwd\n');
      expect(read('/top/top/etc/../etc/passwd')).toBe('container passwd\n');
      expect(resolveInView(view, '/loop-a')).toMatchObject({
        found: false,
        why: 'more than 40 links (a loop)',
      });
      expect(() => read('/etc/shadow')).toThrow(/no such file in the container/);
      expect(() => read('/etc')).toThrow(/is a directory in the container, not a file/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('matches names as find does: classes, negated classes and stars that cross slashes', () => {
    expect(globPattern('*.php[3-8]').test('shell.php5')).toBe(true);
    expect(globPattern('*.php[3-8]').test('shell.php9')).toBe(false);
    expect(globPattern('[!.]*').test('.hidden')).toBe(false);
    expect(globPattern('/*/node_modules').test('/app/lib/node_modules')).toBe(true);
    expect(globPattern('a.b').test('axb')).toBe(false);
  });

  it('selects nothing, and says so, when a where test cannot be evaluated on a volume', () => {
    const view = mergeLayers([
      layer('1', [
        ['tmp', 'directory'],
        ['tmp/x', 'file', { mode: 0o4755 }],
      ]),
    ]);
    const suid = { id: 'suid', description: '', collector: 'list' as const, paths: ['/tmp'] };
    expect(
      selectInView(view, { ...suid, where: '-perm -4000 -type f' }).entries.map(
        (entry) => entry.containerPath,
      ),
    ).toEqual(['/tmp/x']);
    const refused = selectInView(view, { ...suid, where: '-newer /etc/passwd' });
    expect(refused.entries).toEqual([]);
    expect(refused.anomalies).toEqual([
      'where tests (-newer /etc/passwd) cannot be applied on a volume: -newer is not supported on volumes; nothing selected',
    ]);
    expect(parseFindTests('( -type f')).toEqual({ ok: false, why: 'unbalanced parentheses' });
  });

  it('lists device nodes and FIFOs the container made without opening them', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-layer-'));
    try {
      mkdirSync(join(root, 'lower'));
      mkdirSync(join(root, 'upper'));
      execFileSync('mknod', [join(root, 'upper', 'mem'), 'c', '1', '1']);
      execFileSync('mknod', [join(root, 'upper', 'disk'), 'b', '7', '0']);
      // Opening a FIFO for reading would wait forever for a writer.
      execFileSync('mkfifo', [join(root, 'upper', 'pipe')]);
      const { changes, anomalies } = containerFilesystem(root, {
        snapshotId: '1',
        kind: 'active',
        upper: 'upper',
        lowers: ['lower'],
      });
      expect(changes.map(({ path, kind, type, sha256 }) => ({ path, kind, type, sha256 }))).toEqual([
        { path: 'disk', kind: 'added', type: 'block-device', sha256: undefined },
        { path: 'mem', kind: 'added', type: 'char-device', sha256: undefined },
        { path: 'pipe', kind: 'added', type: 'fifo', sha256: undefined },
      ]);
      expect(anomalies).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
