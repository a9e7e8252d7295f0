import type { EntryType } from './layer-scan.js';
import type { FileView } from './overlay-view.js';

const typeCharacter: Record<EntryType, string> = {
  file: '-',
  directory: 'd',
  symlink: 'l',
  whiteout: 'c',
  'char-device': 'c',
  'block-device': 'b',
  fifo: 'p',
  socket: 's',
};

/** `ls -l`'s mode string (`-rwsr-xr-x`), as `stat -c %A` prints it. */
export function modeString(type: EntryType, mode: number): string {
  const triplet = (shift: number, special: number, set: string, unset: string) => {
    const bits = (mode >> shift) & 7;
    const execute = bits & 1;
    const extra = (mode & special) !== 0;
    return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${extra ? (execute ? set : unset) : execute ? 'x' : '-'}`;
  };
  return `${typeCharacter[type]}${triplet(6, 0o4000, 's', 'S')}${triplet(3, 0o2000, 's', 'S')}${triplet(0, 0o1000, 't', 'T')}`;
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The view as the live collector's `fs.bodyfile` command prints it
 * (`stat -c '%i|%A|%u|%g|%s|%X|%Y|%Z|%n'` from the root, /proc and /sys pruned), so timelines
 * are built from a volume package exactly as from a live one.
 */
export function statLines(view: FileView): string {
  const lines: string[] = [];
  for (const [path, entry] of [...view].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (/^(proc|sys)(\/|$)/.test(path)) continue;
    const fields = [entry.inode, modeString(entry.type, entry.mode), entry.uid, entry.gid, entry.size];
    lines.push(
      `${fields.join('|')}|${seconds(entry.atime)}|${seconds(entry.mtime)}|${seconds(entry.ctime)}|./${path}\n`,
    );
  }
  return lines.join('');
}
