import type { AuditUnavailableError } from '../audit/audit-log.ts';
import type { AuditWriter } from '../audit/audit-writer.ts';
import { loadAuditSetup, openAuditLog } from '../audit/open-audit-log.ts';
import { errorCode } from '../audit/audit-batch.ts';
import { ConfigError } from '../config/load.ts';
import type { AuditEventStore } from '../storage/ports.ts';
import { CliError } from './output.ts';

/**
 * Opens the audit log for a mutating CLI action. Opening must also end within the write timeout: a hung disk
 * refuses the action instead of hanging the command.
 */
export async function openCliAudit(configPath: string | undefined, store: AuditEventStore): Promise<AuditWriter> {
  const setup = await loadAuditSetup({ path: configPath });
  const opening = openAuditLog(setup, store);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })), setup.config.writeTimeoutMs);
  });
  try {
    return await Promise.race([opening, timeout]);
  } catch (error) {
    // Opened after all, too late: close it again so the process can exit.
    opening.then((late) => late.close()).catch(() => undefined);
    if (error instanceof ConfigError) throw error;
    const reason = error instanceof Error && error.name === 'AuditIntegrityError' ? error.message : errorCode(error);
    throw new CliError(`the audit log cannot be opened (${reason}); the action was refused and nothing was changed`);
  } finally {
    clearTimeout(timer);
  }
}

/** The one-line refusal for an action the audit log could not record. */
export function auditRefusal(error: AuditUnavailableError, audit: AuditWriter | undefined): CliError {
  const code = audit?.status().lastError;
  return new CliError(`the audit log cannot be written${code === undefined ? '' : ` (${code})`}; the action was refused and nothing was changed`, { cause: error });
}
