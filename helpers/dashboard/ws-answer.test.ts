import { describe, expect, it } from 'vitest'
import { classifyWsAnswer } from './ws-answer.ts'

const answer = (status: number, contentType: string, body: string) => ({
  status,
  contentType,
  body,
  setCookies: [],
})

describe('who answers /ws at the dashboard’s name', () => {
  it('401 is v2', () => {
    expect(classifyWsAnswer(answer(401, 'text/plain', 'unauthorized')).kind).toBe('v2')
  })

  it('FastAPI’s JSON 404 is v1', () => {
    expect(classifyWsAnswer(answer(404, 'application/json', '{"detail":"Not Found"}')).kind).toBe(
      'v1',
    )
  })

  it('Traefik’s own 404 (no router for the name) is not v1: nothing is deployed there', () => {
    const a = classifyWsAnswer(answer(404, 'text/plain; charset=utf-8', '404 page not found\n'))
    expect(a).toEqual({
      kind: 'no-router',
      detail: 'HTTP 404 text/plain: 404 page not found',
    })
  })

  it('anything else is quoted, not guessed', () => {
    expect(classifyWsAnswer(answer(502, 'text/plain', 'Bad Gateway'))).toEqual({
      kind: 'other',
      detail: 'HTTP 502 text/plain: Bad Gateway',
    })
  })
})
