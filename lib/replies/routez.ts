/**
 * ROUTEZ `data` (`Routez` / `RouteInfo` in server/monitor.go) -> {@link RoutezData}.
 *
 * `remote_name` arrived in 2.9.16 (2.9.10 sends only `remote_id`). From 2.10
 * a server keeps a pool of routes to each peer (default 3) plus one per
 * pinned account, so one remote id can appear several times.
 */
import * as z from 'zod';
import { isReplyName, replyName } from './names.js';
import { isArrayOf, isBoolean, isNullish, isNumber, isObject, isOptional } from '../util/plain-tests.js';
import type { RouteView, RoutezData } from './types.js';

/** Built on first use, as the JSZ schemas are (jsz.ts): a CLI start should not pay for what its epoch may not read. */
function buildRoutezSchema() {
  const routeInfoSchema = z.object({
    remote_id: replyName(),
    remote_name: replyName().optional(),
    did_solicit: z.boolean().optional(),
    ip: replyName().optional(),
    port: z.number().optional(),
  });

  const routezSchema = z.object({
    /** The server always sends an array, but a Go nil slice would marshal as null. */
    routes: z.array(routeInfoSchema).nullish(),
  });

  return routezSchema;
}

type RawRoutez = z.infer<ReturnType<typeof buildRoutezSchema>>;

function toRoutezData(raw: RawRoutez): RoutezData {
  return {
    routes: (raw.routes ?? []).map(
      (route): RouteView => ({
        remoteId: route.remote_id,
        remoteName: route.remote_name === '' ? undefined : route.remote_name,
        didSolicit: route.did_solicit,
        ip: route.ip,
        port: route.port,
      }),
    ),
  };
}

/** Validates ROUTEZ `data` and maps it to {@link RoutezData}. */
export const routezDataSchema: z.ZodType<RoutezData, unknown> = z.lazy(() => buildRoutezSchema().transform(toRoutezData));

function isRouteInfo(value: unknown): boolean {
  return (
    isObject(value) &&
    isReplyName(value['remote_id']) &&
    isOptional(value['remote_name'], isReplyName) &&
    isOptional(value['did_solicit'], isBoolean) &&
    isOptional(value['ip'], isReplyName) &&
    isOptional(value['port'], isNumber)
  );
}

function isRoutez(value: unknown): value is RawRoutez {
  return isObject(value) && isNullish(value['routes'], (list) => isArrayOf(list, isRouteInfo));
}

/**
 * {@link routezDataSchema}'s result for ROUTEZ `data` that passes the same
 * rules as plain tests (lib/util/plain-tests.ts), mapped without zod;
 * undefined when they refuse it, and the schema then decides.
 */
export function validRoutezData(raw: unknown): RoutezData | undefined {
  return isRoutez(raw) ? toRoutezData(raw) : undefined;
}
