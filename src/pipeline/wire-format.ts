import type { FastifyRequest } from 'fastify';
import type { WireFormat } from '../errors/render/index.ts';

/**
 * The caller's wire format, so errors answer in its shape. Routes declare it; shared paths (`GET /v1/models`,
 * unknown routes) are told apart the way the SDKs identify themselves: Anthropic's sends `anthropic-version`,
 * Google's sends `x-goog-api-key` and uses `/v1beta`.
 */
export function wireFormatOf(request: FastifyRequest): WireFormat {
  const declared = request.routeOptions.config.wireFormat;
  if (declared !== undefined && declared !== 'auto') return declared;
  if (request.headers['anthropic-version'] !== undefined) return 'anthropic';
  if (request.headers['x-goog-api-key'] !== undefined || (request.raw.url ?? '').startsWith('/v1beta/')) return 'gemini';
  return 'openai';
}
