import { shellRcNames } from '../profile-places.js';
import type { ProcessInfo } from './parse.js';
import type { OpenPackage } from './triage.js';

/**
 * What a piece of text in a package is, for the rules that read text: a rule names the kinds it
 * applies to, so a pattern that is normal in a log is not flagged there.
 */
export type DocumentKind = 'history' | 'cron' | 'shell-rc' | 'web' | 'script' | 'command-line';

export interface TextDocument {
  readonly kind: DocumentKind;
  /** A container path, or `process <pid>`. */
  readonly where: string;
  readonly text: string;
}

/** A collected file's content, for rules on content (ELF magic, ld.so.preload). */
export interface CollectedFile {
  readonly source: string;
  readonly artifact: string;
  readonly text: string;
}

const rcNames = new Set(shellRcNames);
const systemRc =
  /^\/etc\/(profile|profile\.d\/[^/]+|bash\.bashrc|bashrc|environment|zprofile|zshrc|zshenv|zsh\/[^/]+|csh\.(cshrc|login)|fish\/config\.fish|fish\/conf\.d\/[^/]+)$/;
const webArtifacts = new Set(['files.web', 'files.uploads', 'files.app-scripts']);

export function isShellRc(source: string): boolean {
  if (systemRc.test(source)) return true;
  const base = source.slice(source.lastIndexOf('/') + 1);
  return /^\/(root|home\/[^/]+)\//.test(source) && rcNames.has(base);
}

/** Binary content is never matched line by line (its "lines" are noise). */
export function isBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

function kindOf(item: CollectedFile): DocumentKind | undefined {
  if (item.artifact === 'files.history') return 'history';
  if (
    item.artifact === 'files.cron' ||
    item.source.includes('/crontabs/') ||
    /^\/etc\/(crontab|cron\.[^/]+\/)/.test(item.source)
  )
    return 'cron';
  if (isShellRc(item.source)) return 'shell-rc';
  if (isBinary(item.text)) return undefined;
  if (webArtifacts.has(item.artifact)) return 'web';
  if (item.artifact === 'files.tmp') return 'script';
  return undefined;
}

/** Logs, package databases and copies of running binaries are for the timeline and YARA, not text rules. */
const unread = /^(files\.logs|files\.packages|exe\.)/;

/** Every collected file once (a file collected by two artifacts is read once), with its text. */
export function collectedFiles(pkg: OpenPackage): CollectedFile[] {
  const seen = new Set<string>();
  const files: CollectedFile[] = [];
  for (const { item, text } of pkg.files(
    (candidate) => candidate.type === 'file' && !unread.test(candidate.artifact),
  )) {
    const key = `${item.source}\u0000${item.sha256}`;
    if (seen.has(key)) continue;
    seen.add(key);
    files.push({ source: item.source, artifact: item.artifact, text });
  }
  return files;
}

/** The text documents the line and document rules read. */
export function textDocuments(
  files: readonly CollectedFile[],
  processes: readonly ProcessInfo[],
): TextDocument[] {
  const documents: TextDocument[] = [];
  for (const file of files) {
    const kind = kindOf(file);
    if (kind) documents.push({ kind, where: file.source, text: file.text });
  }
  for (const process of processes)
    if (process.cmdline.length > 0)
      documents.push({
        kind: 'command-line',
        where: `process ${process.pid}`,
        text: process.cmdline.join(' '),
      });
  return documents;
}
