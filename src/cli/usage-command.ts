import type { Command } from 'commander';
import { loadDataDir } from '../config/load.ts';
import { UsageQueryError, USAGE_GROUPS, parseGroupBy, parseTimeArg, queryUsage, type UsageReport } from '../usage/usage-query.ts';
import { CliError, type CliOutput } from './output.ts';
import { openStateStorage } from './state-storage.ts';

interface UsageFlags {
  config?: string;
  allowInsecurePermissions?: boolean;
  since: string;
  until?: string;
  groupBy: string;
  json?: boolean;
}

const COLUMNS = ['REQUESTS', 'INPUT', 'OUTPUT', 'CACHED', 'REASONING', 'ESTIMATED', 'FAILED', 'AVG MS'] as const;

function row(label: string, t: UsageReport['total']): string[] {
  const avg = t.requests === 0 ? 0 : Math.round(t.latencyMsTotal / t.requests);
  return [label, ...[t.requests, t.inputTokens, t.outputTokens, t.cachedTokens, t.reasoningTokens, t.estimatedRequests, t.failedRequests, avg].map(String)];
}

/** The report as an aligned table: one line per group, then the total. */
function table(report: UsageReport): string[] {
  const rows = [[report.groupBy.toUpperCase(), ...COLUMNS], ...report.groups.map((g) => row(g.group === '' ? '(none)' : g.group, g)), row('TOTAL', report.total)];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
}

/** `rampart usage`: token totals per key, model, provider or credential over a time range. */
export function registerUsageCommand(program: Command, output: CliOutput): void {
  program
    .command('usage')
    .description('token usage of proxied requests over a time range, grouped by key, model, provider or credential')
    .option('--since <time>', 'start: ISO-8601 (2026-03-01, 2026-03-01T12:00:00Z) or a span back from now (24h, 7d)', '7d')
    .option('--until <time>', 'end (exclusive), same forms as --since; default now')
    .option('--group-by <group>', `one of ${USAGE_GROUPS.join(', ')}`, 'key')
    .option('--json', 'print the report as JSON: {"since","until","groupBy","groups":[…],"total":{…}}')
    .option('-c, --config <file>', 'config file (default: ./rampart.yaml)')
    .action(async (flags: UsageFlags) => {
      const now = new Date();
      let query;
      try {
        query = {
          since: parseTimeArg(flags.since, now, '--since'),
          until: flags.until === undefined ? now : parseTimeArg(flags.until, now, '--until'),
          groupBy: parseGroupBy(flags.groupBy),
        };
      } catch (error) {
        if (error instanceof UsageQueryError) throw new CliError(error.message);
        throw error;
      }
      // Usage rows hold ids and counts only, so like `keys` this needs dataDir and never the upstream secrets.
      const { dataDir } = await loadDataDir({ path: flags.config });
      const storage = await openStateStorage(dataDir, flags, output);
      let report: UsageReport;
      try {
        report = await queryUsage(storage.usageEvents, query);
      } catch (error) {
        if (error instanceof UsageQueryError) throw new CliError(error.message);
        throw error;
      } finally {
        await storage.close();
      }
      if (flags.json) {
        output.out(JSON.stringify(report));
        return;
      }
      output.out(`Usage from ${report.since} to ${report.until}, by ${report.groupBy}:`);
      if (report.groups.length === 0) {
        output.out('No proxied requests in this range.');
        return;
      }
      for (const line of table(report)) output.out(line);
    });
}
