// The query API as the dashboard calls it: every request carries the API key as X-API-Key.
// URLs are relative to the page, so the dashboard also works behind a path prefix.

/** The key was refused (401) or may not read (403): the dashboard goes back to its sign-in. */
export class SignInNeeded extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** Any other answer that is not 200: a problem detail (RFC 9457) when the service sent one. */
export class ProblemAnswer extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class QueryApi {
  constructor(apiKey) {
    this.apiKey = apiKey;
  }

  views() {
    return this.get('api/v1/views');
  }

  series(view, params) {
    return this.get(`api/v1/views/${encodeURIComponent(view)}/series`, params);
  }

  top(view, params) {
    return this.get(`api/v1/views/${encodeURIComponent(view)}/top`, params);
  }

  keys(view, prefix, limit) {
    return this.get(`api/v1/views/${encodeURIComponent(view)}/keys`, {prefix, limit});
  }

  freshness() {
    return this.get('api/v1/freshness');
  }

  async get(path, params = {}) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && value !== null) {
        query.set(name, value);
      }
    }
    const search = query.toString();
    const url = search ? `${path}?${search}` : path;
    const response = await fetch(url, {
      headers: {'X-API-Key': this.apiKey, 'Accept': 'application/json, application/problem+json'},
      cache: 'no-store',
    });
    if (response.ok) {
      return response.json();
    }
    const problem = await response.json().catch(() => null);
    if (response.status === 401 || response.status === 403) {
      throw new SignInNeeded(response.status, problem?.detail || response.statusText);
    }
    throw new ProblemAnswer(response.status, problem);
  }
}
