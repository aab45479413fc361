import { RampartError } from '../errors/catalogue.ts';
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
