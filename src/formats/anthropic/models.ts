/**
 * `GET /v1/models` in Anthropic's shape (API reference, "Models" → "List Models": a page of ModelInfo with
 * `has_more`, `first_id`, `last_id`). Rampart lists everything in one page.
 */
import type { CanonicalModel } from '../canonical/types.ts';

/** One ModelInfo as Rampart renders it. */
export interface AnthropicModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  /** RFC 3339, e.g. `2025-02-19T00:00:00Z`. */
  created_at: string;
}

/** The list page. */
export interface AnthropicModelList {
  data: AnthropicModelInfo[];
  has_more: false;
  first_id: string | null;
  last_id: string | null;
}

/** Render the model list; a model without a display name shows its id. */
export function renderModelList(models: CanonicalModel[]): AnthropicModelList {
  const data = models.map((model): AnthropicModelInfo => ({
    type: 'model',
    id: model.id,
    display_name: model.displayName ?? model.id,
    created_at: rfc3339(model.created),
  }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/**
 * Unix seconds → RFC 3339 in UTC without fractions, as Anthropic writes it. An unusable value becomes the epoch,
 * which ModelInfo documents for "release date unknown".
 */
function rfc3339(seconds: number): string {
  const ms = seconds * 1000;
  const valid = Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
  return new Date(valid ? ms : 0).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
