import { file, type Tree } from '../rootfs.js';
import { odHex, paxFile, tarArchive, tarEntry } from '../tar-writer.js';

/** Names the e2e test looks for in the package of each pod below. */
export const unstorableNames = {
  fileThenDirectory: ['/tmp/x', '/tmp/x/y'],
  longPath: `/data/${Array.from({ length: 35 }, (_, index) => `${index}-${'n'.repeat(90)}`).join('/')}/leaf`,
  deepPath: `/tmp/${'d/'.repeat(1500)}bottom`,
  longComponent: `/tmp/${'c'.repeat(3000)}`,
  /** 36 levels of 13 euro signs: 1.4 KB on the container's disk, 4.2 KB once percent-encoded. */
  encodedPastPathMax: `/srv/${Array.from({ length: 36 }, () => '€'.repeat(13)).join('/')}/report.txt`,
  /** 150 levels of one letter: short, but past the depth cap. */
  pastDepthCap: `/srv/${'d/'.repeat(150)}note.txt`,
} as const;

/**
 * What a compromised container that read the collector's nonce from /proc answers (through
 * gatehouse-exec, as for dev/hostile): a command section sent twice, and a tar stream of names no
 * filesystem can hold as sent (a file and then a directory of one name, a path over PATH_MAX,
 * 1500 levels of nesting, a 3000-character name).
 */
export function unstorableNamesPayload(): Buffer {
  const [x, xy] = unstorableNames.fileThenDirectory;
  const tar = Buffer.concat([
    tarEntry({ name: x.slice(1), data: 'a file named x\n' }),
    tarEntry({ name: xy.slice(1), data: 'a file inside x\n' }),
    paxFile(unstorableNames.longPath, 'long\n'),
    paxFile(unstorableNames.deepPath, 'deep\n'),
    paxFile(unstorableNames.longComponent, 'one long name\n'),
    tarArchive([]),
  ]);
  return Buffer.concat([
    Buffer.from(`\n##GH1 @NONCE@ hex live.date\n${odHex(Buffer.from('2026-12-01T00:00:00Z\n'))}`),
    Buffer.from(`\n##GH1 @NONCE@ hex live.date\n${odHex(Buffer.from('forged\n'))}`),
    Buffer.from('\n##GH1 @NONCE@ tar files.etc\n'),
    tar,
    Buffer.from('\n##GH1 @NONCE@ end done\n'),
  ]);
}

/** Real files whose names cannot be stored as they are: the collector's own tar reads them. */
export function deepNamesFiles(): Tree {
  return {
    [unstorableNames.encodedPastPathMax.slice(1)]: file('quarterly report\n'),
    [unstorableNames.pastDepthCap.slice(1)]: file('deep note\n'),
  };
}
