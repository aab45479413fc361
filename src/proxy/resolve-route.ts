import type { FastifyRequest } from 'fastify';
import { RampartError } from '../errors/catalogue.ts';
import { requestPath } from '../pipeline/client-auth.ts';
import { checkKeyScope, keyScopeError } from '../pipeline/key-scope.ts';
import type { CanonicalRequest } from '../formats/canonical/types.ts';
import type { RoutePlan, RouteTarget, Router } from '../routing/router.ts';

/** The plan for `model`, or the catalogue's 404 naming the model (shortened: it is client input) / 400 for a bad suffix. */
export function planRoute(router: Router, model: string): RoutePlan {
  const plan = router.plan(model);
  if (plan === 'bad_suffix') throw new RampartError('RAMPART_MODEL_SUFFIX_INVALID', { param: 'model' });
  if (plan !== 'unknown_model') return plan;
  const shown = model.length > 100 ? `${model.slice(0, 100)}…` : model;
  throw new RampartError('RAMPART_MODEL_NOT_FOUND', { message: `No configured provider serves the model "${shown}".`, param: 'model' });
}

/** The canonical request as one target is asked: its upstream model name, and a suffix's reasoning if any. */
export function forTarget<T extends Pick<CanonicalRequest, 'model'> & { reasoning?: CanonicalRequest['reasoning'] }>(request: T, target: RouteTarget): T {
  return target.reasoning ? { ...request, model: target.upstreamModel, reasoning: target.reasoning } : { ...request, model: target.upstreamModel };
}

/**
 * The plan narrowed to the targets the client key may use: model scopes are judged on the model the provider is
 * asked for (so an alias cannot get around them) and provider scopes on the target's provider. Nothing left → 403.
 */
export function planForKey(router: Router, model: string, request: FastifyRequest): RoutePlan {
  const plan = planRoute(router, model);
  const key = request.clientKey;
  if (!key) return plan;
  const route = requestPath(request);
  let firstViolation: ReturnType<typeof checkKeyScope>;
  const targets = plan.targets.filter((target) => {
    const violation = checkKeyScope(key, { route, model: target.upstreamModel, providerId: target.provider.id });
    firstViolation ??= violation;
    return violation === undefined;
  });
  if (targets.length === 0 && firstViolation) throw keyScopeError(firstViolation);
  return { targets };
}
