import type { CanonicalModel } from '../formats/canonical/types.ts';
import type { Router } from '../routing/router.ts';

/** The models this gateway can route (not what some upstream happens to offer), stamped with the listing time. */
export function listModels(router: Router, created: number): CanonicalModel[] {
  return router.models().map((m) => ({ id: m.id, ownedBy: m.providerId, created }));
}

/** OpenAI's model object (`GET /v1/models` items). */
export function renderOpenAIModel(model: CanonicalModel): Record<string, unknown> {
  return { id: model.id, object: 'model', created: model.created, owned_by: model.ownedBy };
}
