/**
 * Files and directories the lab creates: root's only, whatever the umask.
 *
 * The lab runs as root and its directory holds the pre-shared keys (swanctl.conf), the
 * daemons' configs, control sockets and logs. Directories are 0700 and files 0600 —
 * set explicitly with chmod/fchmod, not left to the umask (a umask only removes bits,
 * and 0 removes none) — and a file is given its mode *before* anything is written to
 * it. A file is always created fresh (O_EXCL, O_NOFOLLOW), so neither a symlink planted
 * where it goes nor a world-readable file someone opened earlier ever sees the content.
 *
 * Lab processes also run with umask 077 (`usePrivateUmask`), which the daemons inherit:
 * what BIRD, FRR and charon create themselves (pid files, sockets, logs) is private too.
 */
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** The umask of every lab process, passed on to every daemon it starts. */
export const LAB_UMASK = 0o077;

/** Sets this process's umask to 077 (a no-op where the umask cannot be set, e.g. in a worker thread). */
export function usePrivateUmask(): void {
  try {
    process.umask(LAB_UMASK);
  } catch {
    // Worker threads cannot change the umask; every file below gets its mode explicitly anyway.
  }
}

/**
 * Writes `content` to a new file at `path` with mode 0600: whatever was there (a stale
 * file, a symlink) is removed first, never followed or reused; the mode is set before
 * the content is written.
 */
export function writePrivateFileAt(path: string, content: string): string {
  rmSync(path, { force: true });
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    PRIVATE_FILE_MODE,
  );
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeFileSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Opens `path` for appending (a daemon's log), creating it if needed; mode 0600 either way. */
export function openPrivateAppend(path: string): number {
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

function checkOwnDirectory(path: string, what: string): void {
  const info = lstatSync(path);
  if (info.isSymbolicLink() || !info.isDirectory()) throw new Error(`${what} ${path} is not a directory`);
  const euid = process.geteuid?.();
  if (euid !== undefined && info.uid !== euid)
    throw new Error(`${what} ${path} belongs to uid ${info.uid}, not to this user (${euid})`);
}

/** Creates directory `path` with mode 0700; with `reuse`, an existing one of ours is made 0700 instead. */
export function makePrivateDir(path: string, options: { reuse?: boolean } = {}): string {
  try {
    mkdirSync(path, { mode: PRIVATE_DIR_MODE });
  } catch (error) {
    if (!options.reuse || (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    checkOwnDirectory(path, 'directory');
  }
  chmodSync(path, PRIVATE_DIR_MODE);
  return path;
}

/**
 * Makes sure the lab root exists and is safe to keep labs in: a real directory (not a
 * symlink), ours, and writable by nobody else. One we create is 0700; an existing one
 * is left as it is if it passes (the lab directories inside are 0700 anyway), refused
 * otherwise — `VWAN_HA_LAB_ROOT=/tmp` would let any user plant files next to the labs.
 */
export function ensurePrivateRoot(root: string): string {
  const created = mkdirSync(root, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined) chmodSync(root, PRIVATE_DIR_MODE);
  checkOwnDirectory(root, 'lab root');
  const mode = lstatSync(root).mode & 0o777;
  if ((mode & 0o022) !== 0) {
    throw new Error(
      `lab root ${root} is writable by other users (mode ${mode.toString(8)}): choose a directory only root can write (default /run/vwan-ha)`,
    );
  }
  return root;
}

/** chmod 0600 on something a daemon created in the lab directory (its control socket). */
export function makePrivate(path: string): void {
  chmodSync(path, PRIVATE_FILE_MODE);
}
