/** Media types whose bodies are text and pass through API Gateway unencoded. */
const TEXT_TYPE = /^(text\/[^;]+|application\/(json|xml|javascript|x-www-form-urlencoded)|application\/[^;]+\+(json|xml))$/

/**
 * Whether a Lambda response body must be base64-encoded for API Gateway. Anything that is not
 * known text is encoded (images, octet streams, types added later): base64 of text is only
 * wasteful, while binary sent as text arrives corrupted. A compressed body is always binary.
 */
export function isBinaryResponse (response: { headers: Record<string, unknown> }): boolean {
  const encoding = headerValue(response.headers, 'content-encoding')
  if (encoding !== '' && encoding !== 'identity') return true
  const type = headerValue(response.headers, 'content-type').split(';', 1)[0]!.trim()
  return type !== '' && !TEXT_TYPE.test(type)
}

function headerValue (headers: Record<string, unknown>, name: string): string {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)
  return entry === undefined || entry[1] === undefined ? '' : String(entry[1]).toLowerCase()
}
