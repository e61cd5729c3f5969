/** Minimal structural types at the FHIR boundary; full validation is done by the validator. */
export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  security?: { system?: string; code?: string }[];
  [k: string]: unknown;
}

export interface Resource {
  resourceType: string;
  id?: string;
  meta?: Meta;
  [k: string]: unknown;
}

export interface BundleEntry {
  fullUrl?: string;
  resource?: Resource;
  request?: { method: string; url: string; ifMatch?: string; ifNoneExist?: string };
  response?: { status: string; location?: string; etag?: string; lastModified?: string; outcome?: Resource };
  search?: { mode?: string };
}

export interface Bundle extends Resource {
  resourceType: 'Bundle';
  type: string;
  entry?: BundleEntry[];
  total?: number;
  link?: { relation: string; url: string }[];
}

export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
