import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InsecurePermissionsError, checkDataDirPermissions, chmodCommands, findInsecurePermissions, shellQuote } from './data-dir-permissions.ts';

describe('data folder permissions', () => {
  let root: string;
  let dataDir: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'rampart-perm-'));
    dataDir = path.join(root, 'data dir');
    await mkdir(path.join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
    await chmod(dataDir, 0o700);
    await writeFile(path.join(dataDir, 'rampart.db'), '', { mode: 0o600 });
    await writeFile(path.join(dataDir, 'secrets', 'pepper'), '', { mode: 0o600 });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds nothing in a private folder, and nothing for a folder that does not exist yet', async () => {
    expect(await findInsecurePermissions(dataDir)).toEqual([]);
    expect(await findInsecurePermissions(path.join(root, 'absent'))).toEqual([]);
    await expect(checkDataDirPermissions(dataDir)).resolves.toBeUndefined();
  });

  it('finds group/other bits on the folder, nested folders and files, and on an outside key file', async () => {
    await chmod(dataDir, 0o755);
    await chmod(path.join(dataDir, 'secrets'), 0o750);
    await chmod(path.join(dataDir, 'rampart.db'), 0o644);
    await chmod(path.join(dataDir, 'secrets', 'pepper'), 0o604);
    const keyFile = path.join(root, 'vault.key');
    await writeFile(keyFile, 'k', { mode: 0o640 });
    await chmod(keyFile, 0o640);
    // A symlink's own mode means nothing: skipped, not followed.
    await symlink('/etc/passwd', path.join(dataDir, 'link'));
    const problems = await findInsecurePermissions(dataDir, [keyFile]);
    expect(problems.map((p) => [path.relative(root, p.path), p.mode.toString(8), p.wanted.toString(8)]).sort()).toEqual([
      ['data dir', '755', '700'],
      ['data dir/rampart.db', '644', '600'],
      ['data dir/secrets', '750', '700'],
      ['data dir/secrets/pepper', '604', '600'],
      ['vault.key', '640', '600'],
    ]);
    expect(chmodCommands(problems)).toEqual([
      `chmod 700 '${dataDir}'`,
      `chmod 700 '${path.join(dataDir, 'secrets')}'`,
      `chmod 600 '${path.join(dataDir, 'rampart.db')}'`,
      `chmod 600 '${path.join(dataDir, 'secrets', 'pepper')}'`,
      `chmod 600 ${keyFile}`,
    ]);
  });

  it('refuses with the commands to run, or warns loudly when overridden', async () => {
    await chmod(path.join(dataDir, 'rampart.db'), 0o644);
    const error = await checkDataDirPermissions(dataDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsecurePermissionsError);
    expect((error as Error).message).toContain(`  chmod 600 '${path.join(dataDir, 'rampart.db')}'`);
    expect((error as Error).message).toContain('--allow-insecure-permissions');
    const warnings: string[] = [];
    await checkDataDirPermissions(dataDir, { allowInsecure: true, warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^WARNING: insecure permissions/);
  });

  it('quotes paths for the shell only when needed', () => {
    expect(shellQuote('/var/lib/rampart/data')).toBe('/var/lib/rampart/data');
    expect(shellQuote("/tmp/it's here")).toBe(`'/tmp/it'\\''s here'`);
    expect(shellQuote('/tmp/$(rm -rf)')).toBe(`'/tmp/$(rm -rf)'`);
  });
});
