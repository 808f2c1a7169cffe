import { randomUUID } from 'node:crypto'

const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** Ids are random UUIDs: unguessable, and never derived from anything the client sent. */
export const newImageId = (): string => randomUUID()

export const isImageId = (value: string): boolean => ID_PATTERN.test(value)

export const ID_JSON_PATTERN = ID_PATTERN.source

export const originalKey = (id: string): string => `originals/${id}`

/**
 * Where a direct upload's presigned POST puts the file. Only the processor moves it to
 * originals/, after the checks, so a grant used again before it expires can never replace an
 * admitted original: what it writes lands here and is deleted as a stray.
 */
export const incomingKey = (id: string): string => `incoming/${id}`
