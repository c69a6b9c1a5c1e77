// `sandlot doctor`: what each driver needs and whether this host has it. Runs the
// drivers' own checks locally (the agent's host is the one that matters).
import type { Command } from 'commander';
import type { DoctorReport } from '../../drivers/protocol';
import { DRIVER_NAMES, createDriver, isDriverName } from '../../drivers/registry';
import { sandlotPaths } from '../../util/paths';
import { CliError, printJson } from '../context';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check what each driver (sandbox, docker, microvm) needs and whether this host has it')
    .argument('[drivers...]', `only these drivers: ${DRIVER_NAMES.join(', ')}`)
    .option('--json', 'print JSON')
    .action(async (names: string[], opts: { json?: boolean }) => {
      const chosen = names.map((n) => {
        if (!isDriverName(n)) throw new CliError(`doctor: expected a driver name (${DRIVER_NAMES.join(', ')}), got "${n}"`);
        return n;
      });
      const paths = sandlotPaths();
      const reports: DoctorReport[] = [];
      for (const name of chosen.length ? chosen : DRIVER_NAMES) {
        const driver = createDriver(name, { home: paths.home, playgroundsDir: paths.playgrounds, log: () => {} });
        if (!driver) {
          reports.push({ driver: name, usable: false, checks: [{ name: 'driver', ok: false, detail: 'not part of this build of Sandlot yet' }] });
          continue;
        }
        try {
          reports.push(await driver.doctor());
        } finally {
          await driver.close();
        }
      }
      if (opts.json) return printJson(reports);
      const out: string[] = [];
      for (const r of reports) {
        out.push(`${r.driver}: ${r.usable ? 'usable' : 'not usable'}`);
        for (const c of r.checks) {
          out.push(`  ${c.ok ? (c.warning ? 'WARN' : 'ok  ') : 'FAIL'} ${c.name}: ${c.detail}`);
          if ((!c.ok || c.warning) && c.fix) out.push(`       fix: ${c.fix}`);
        }
      }
      process.stdout.write(out.join('\n') + '\n');
    });
}
