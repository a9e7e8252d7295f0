/** One line of /etc/passwd, as collected (the package never holds /etc/shadow). */
export interface Account {
  readonly name: string;
  /** `x` when the hash is in shadow; '' means no password at all. */
  readonly password: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly shell: string;
  /** The line as it was, for quoting, and its number in the file. */
  readonly line: string;
  readonly lineNumber: number;
}

/** Parses /etc/passwd; malformed lines are skipped (the file is container data). */
export function parsePasswd(text: string): Account[] {
  const accounts: Account[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const fields = line.split(':');
    if (fields.length !== 7 || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const [name, password, uid, gid, , home, shell] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid) || name === '') continue;
    accounts.push({
      name,
      password,
      uid: Number(uid),
      gid: Number(gid),
      home,
      shell,
      line,
      lineNumber: index + 1,
    });
  }
  return accounts;
}

const interactiveShell = /\/(sh|bash|ash|dash|zsh|ksh|mksh|csh|tcsh|fish)$/;

/** System accounts (below 1000, and nobody) are not meant to log in. */
export function isServiceAccount(account: Account): boolean {
  return account.uid !== 0 && (account.uid < 1000 || account.uid === 65534);
}

export function hasLoginShell(account: Account): boolean {
  return interactiveShell.test(account.shell);
}
