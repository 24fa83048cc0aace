import type { App } from 'aws-cdk-lib';
import type { FleetConfig } from '../fleet/fleet-config.js';
import { NatsAuditEnvironmentStack, type EnvironmentStackOptions } from './environment-stack.js';
import { NatsAuditNotificationsStack } from './notifications-stack.js';

export interface NatsAuditStacks {
  readonly notifications: NatsAuditNotificationsStack;
  /** By environment name. */
  readonly environments: ReadonlyMap<string, NatsAuditEnvironmentStack>;
}

/** Stack ids, which are also the CloudFormation stack names. */
export const STACK_IDS = {
  notifications: 'NatsAuditNotifications',
  environment: (name: string) => `NatsAudit-${name}`,
} as const;

/**
 * Adds the fleet's stacks to `app`: the notifications stack, and one stack per
 * environment deployed after it, so the topic and key exist before an auditor
 * publishes.
 */
export function addNatsAuditStacks(app: App, fleet: FleetConfig, options: EnvironmentStackOptions = {}): NatsAuditStacks {
  const notifications = new NatsAuditNotificationsStack(app, STACK_IDS.notifications, { notifications: fleet.notifications });
  const environments = new Map<string, NatsAuditEnvironmentStack>();
  for (const environment of fleet.environments) {
    const stack = new NatsAuditEnvironmentStack(app, STACK_IDS.environment(environment.name), {
      ...options,
      environment,
      clusters: fleet.clusters.filter((c) => c.environment === environment.name),
      notifications: fleet.notifications,
    });
    stack.addStackDependency(notifications, 'publishes to its findings topic');
    environments.set(environment.name, stack);
  }
  return { notifications, environments };
}
