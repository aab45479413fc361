import { RampartError } from '../errors/catalogue.ts';
import type { Route, Router } from '../routing/router.ts';

/** The route for `model`, or the catalogue's 404 naming the model (shortened: it is client input). */
export function resolveRoute(router: Router, model: string): Route {
  const route = router.resolve(model);
  if (route) return route;
  const shown = model.length > 100 ? `${model.slice(0, 100)}…` : model;
  throw new RampartError('RAMPART_MODEL_NOT_FOUND', { message: `No configured provider serves the model "${shown}".`, param: 'model' });
}
