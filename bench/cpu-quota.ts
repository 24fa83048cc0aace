/**
 * Runs part of the bench with this process under a CPU quota, the way Lambda
 * gives a function memory ÷ 1,769 MB of a vCPU: the kernel's CFS bandwidth
 * control (cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us` over
 * `cpu.cfs_period_us`) on a child cgroup this process moves into and back out
 * of. Every thread of the process moves with it (GC helpers, libuv's pool);
 * the nats-server processes stay outside, as remote servers would.
 *
 * Needs a writable cpu controller (root, or a delegated cgroup); when there is
 * none, `openCpuQuota` says why instead, and the bench keeps its model.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The CFS period: the kernel's default, and a quota is a share of it. */
const PERIOD_US = 100_000;

export interface CpuQuota {
  /** `cgroup v2 cpu.max` or `cgroup v1 cpu.cfs_quota_us`, for the report. */
  readonly mechanism: string;
  /** Runs `body` with this process limited to `cpus` (e.g. 0.58) of one CPU; returns its result and how many periods were throttled. */
  run<T>(cpus: number, body: () => Promise<T>): Promise<{ result: T; throttledPeriods: number }>;
}

export type CpuQuotaResult = { readonly quota: CpuQuota } | { readonly unavailable: string };

interface Hierarchy {
  readonly version: 1 | 2;
  /** Directory of this process's own cgroup in the hierarchy that holds the cpu controller. */
  readonly own: string;
}

/** Where this process's cpu controller is, from /proc/self/cgroup and /proc/self/mountinfo. */
function cpuHierarchy(): Hierarchy | string {
  let cgroups: string[];
  let mounts: string[];
  try {
    cgroups = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
    mounts = readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n');
  } catch (error) {
    return `no /proc/self/cgroup or mountinfo (${(error as Error).message})`;
  }
  // mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTIONS
  const mountOf = (fstype: string, controller?: string): string | undefined =>
    mounts
      .map((line) => {
        const [left, right = ''] = line.split(' - ');
        const [type, , superOptions = ''] = right.split(' ');
        return { mountPoint: left!.split(' ')[4]!, type, superOptions: superOptions.split(',') };
      })
      .find((m) => m.type === fstype && (controller === undefined || m.superOptions.includes(controller)))?.mountPoint;
  const v1 = cgroups.map((l) => l.split(':')).find(([, controllers]) => controllers!.split(',').includes('cpu'));
  const v1Mount = mountOf('cgroup', 'cpu');
  if (v1 && v1Mount) return { version: 1, own: join(v1Mount, v1.slice(2).join(':')) };
  const v2 = cgroups.map((l) => l.split(':')).find(([id]) => id === '0');
  const v2Mount = mountOf('cgroup2');
  if (v2 && v2Mount) {
    const own = join(v2Mount, v2.slice(2).join(':'));
    const available = existsSync(join(own, 'cgroup.controllers')) ? readFileSync(join(own, 'cgroup.controllers'), 'utf8') : '';
    if (!available.split(/\s+/).includes('cpu')) return `cgroup v2 at ${v2Mount} does not offer the cpu controller to ${own}`;
    return { version: 2, own };
  }
  return 'no cgroup hierarchy with the cpu controller is mounted';
}

/** Creates the quota's cgroup (and removes it again) to see that it can be used; returns why not otherwise. */
export function openCpuQuota(): CpuQuotaResult {
  const hierarchy = cpuHierarchy();
  if (typeof hierarchy === 'string') return { unavailable: hierarchy };
  const dir = join(hierarchy.own, `nats-audit-bench-${process.pid}`);
  const limitFile = hierarchy.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us';
  const limit = (cpus: number): void => {
    const quotaUs = Math.max(1_000, Math.round(cpus * PERIOD_US));
    if (hierarchy.version === 2) writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${PERIOD_US}`);
    else {
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
    }
  };
  try {
    // v2 only lets a child limit cpu once its parent delegates the controller.
    if (hierarchy.version === 2) appendFileSync(join(hierarchy.own, 'cgroup.subtree_control'), '+cpu');
    mkdirSync(dir);
  } catch (error) {
    return { unavailable: `cannot create a cgroup under ${hierarchy.own} (${(error as Error).message})` };
  }
  try {
    limit(1);
  } catch (error) {
    rmdirSync(dir);
    return { unavailable: `cannot write ${limitFile} in ${dir} (${(error as Error).message})` };
  }
  rmdirSync(dir);
  const throttled = (): number => Number(/nr_throttled (\d+)/.exec(readFileSync(join(dir, 'cpu.stat'), 'utf8'))?.[1] ?? 0);
  return {
    quota: {
      mechanism: hierarchy.version === 2 ? 'cgroup v2 cpu.max' : 'cgroup v1 cpu.cfs_quota_us',
      async run(cpus, body) {
        mkdirSync(dir);
        try {
          limit(cpus);
          writeFileSync(join(dir, 'cgroup.procs'), String(process.pid));
          try {
            const result = await body();
            return { result, throttledPeriods: throttled() };
          } finally {
            // Back where it was; the cgroup can only be removed once empty.
            writeFileSync(join(hierarchy.own, 'cgroup.procs'), String(process.pid));
          }
        } finally {
          rmdirSync(dir);
        }
      },
    },
  };
}
