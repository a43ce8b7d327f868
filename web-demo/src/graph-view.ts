// The graph view: the current user's entities (nodes) and relations (edges labelled with their type), as
// an SVG picture laid out by a small force simulation written for it (below). No layout library: the
// graphs drawn here have tens of nodes, where a few hundred steps of an O(n²) simulation take a few
// milliseconds, and d3-force (the well-kept choice) would add a dependency for ~60 lines of arithmetic.
// Every text goes in with textContent; every node and edge has a <title> for assistive technology.
import type { GraphEntity, GraphRelation } from 'edgemem'

const SVG = 'http://www.w3.org/2000/svg'
const WIDTH = 760
const HEIGHT = 460
const MARGIN = 40
/** Beyond this, the most mentioned entities are drawn and the rest counted. */
const MAX_NODES = 120

export interface GraphData {
  entities: GraphEntity[]
  /** Valid relations of the scope. */
  relations: GraphRelation[]
}

interface Node {
  id: string
  name: string
  type?: string
  mentions: number
  x: number
  y: number
  vx: number
  vy: number
}

/** Two entities named by the same memories: drawn faintly, unlabelled (they are not relations). */
interface CoMention {
  a: string
  b: string
  memories: number
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag)
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value))
  return element
}

function titled<T extends SVGElement>(element: T, text: string): T {
  const title = svg('title')
  title.textContent = text
  element.prepend(title)
  return element
}

/** Pairs of drawn entities that share memories (the only links a graph without an LLM has). */
function coMentions(nodes: Map<string, Node>, entities: GraphEntity[], related: Set<string>): CoMention[] {
  const byMemory = new Map<string, string[]>()
  for (const entity of entities) {
    if (!nodes.has(entity.id)) continue
    for (const memoryId of entity.memoryIds) byMemory.set(memoryId, [...(byMemory.get(memoryId) ?? []), entity.id])
  }
  const pairs = new Map<string, CoMention>()
  for (const ids of byMemory.values()) {
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const [a, b] = ids[i]! < ids[j]! ? [ids[i]!, ids[j]!] : [ids[j]!, ids[i]!]
        const key = `${a} ${b}`
        if (related.has(key)) continue
        const pair = pairs.get(key) ?? { a, b, memories: 0 }
        pair.memories++
        pairs.set(key, pair)
      }
    }
  }
  return [...pairs.values()]
}

/**
 * Force-directed layout: every pair of nodes repels (1/d²), every link pulls towards a rest length, a
 * weak pull keeps everything near the centre; the step size cools down over the iterations. Starts from
 * a circle in a fixed order, so the same graph is always drawn the same way.
 */
function layout(nodes: Node[], links: { a: string; b: string; strength: number }[], iterations = 300): void {
  const cx = WIDTH / 2
  const cy = HEIGHT / 2
  nodes.forEach((node, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, nodes.length)
    node.x = cx + Math.cos(angle) * (WIDTH / 3)
    node.y = cy + Math.sin(angle) * (HEIGHT / 3)
  })
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const rest = Math.max(110, Math.min(180, 900 / Math.sqrt(nodes.length + 1)))
  const repulsion = rest * rest * 0.8
  for (let step = 0; step < iterations; step++) {
    const heat = 1 - step / iterations
    for (const node of nodes) {
      node.vx = (cx - node.x) * 0.01
      node.vy = (cy - node.y) * 0.01
    }
    for (let i = 0; i < nodes.length; i++) {
      const a = nodes[i]!
      for (let j = i + 1; j < nodes.length; j++) {
        const b = nodes[j]!
        let dx = a.x - b.x
        let dy = a.y - b.y
        let d2 = dx * dx + dy * dy
        if (d2 < 1) {
          // Two nodes on one spot: pushed apart along a direction fixed by their order.
          dx = Math.cos(i + j)
          dy = Math.sin(i + j)
          d2 = 1
        }
        const force = Math.min(repulsion / d2, 30)
        const d = Math.sqrt(d2)
        a.vx += (dx / d) * force
        a.vy += (dy / d) * force
        b.vx -= (dx / d) * force
        b.vy -= (dy / d) * force
      }
    }
    for (const link of links) {
      const a = byId.get(link.a)
      const b = byId.get(link.b)
      if (!a || !b || a === b) continue
      const dx = b.x - a.x
      const dy = b.y - a.y
      const d = Math.max(1, Math.sqrt(dx * dx + dy * dy))
      const pull = ((d - rest) / d) * 0.1 * link.strength
      a.vx += dx * pull
      a.vy += dy * pull
      b.vx -= dx * pull
      b.vy -= dy * pull
    }
    for (const node of nodes) {
      node.x = Math.min(WIDTH - MARGIN, Math.max(MARGIN, node.x + node.vx * heat))
      node.y = Math.min(HEIGHT - MARGIN, Math.max(MARGIN, node.y + node.vy * heat))
    }
  }
}

/** Draws the graph of `user` into `host` (replacing what was there); returns what it drew. */
export function renderGraph(host: Element, user: string, data: GraphData): { nodes: number; edges: number } {
  const mentions = (e: GraphEntity): number => e.memoryIds.length
  const ranked = [...data.entities].sort((a, b) => mentions(b) - mentions(a) || (a.createdAt < b.createdAt ? -1 : 1))
  const drawn = ranked.slice(0, MAX_NODES)
  const nodes = new Map<string, Node>(
    drawn.map((e) => [e.id, { id: e.id, name: e.name, type: e.type, mentions: mentions(e), x: 0, y: 0, vx: 0, vy: 0 }]),
  )
  const relations = data.relations.filter((r) => nodes.has(r.sourceId) && nodes.has(r.targetId))
  const related = new Set(relations.map((r) => (r.sourceId < r.targetId ? `${r.sourceId} ${r.targetId}` : `${r.targetId} ${r.sourceId}`)))
  const together = coMentions(nodes, drawn, related)
  layout(
    [...nodes.values()],
    [...relations.map((r) => ({ a: r.sourceId, b: r.targetId, strength: 1 })), ...together.map((c) => ({ a: c.a, b: c.b, strength: 0.4 }))],
  )

  const summary = `${data.entities.length} ${data.entities.length === 1 ? 'entity' : 'entities'} and ${relations.length} ${relations.length === 1 ? 'relation' : 'relations'} of ${user}`
  const picture = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    class: 'graph',
    'aria-labelledby': 'graph-title graph-desc',
  })
  picture.dataset.testid = 'graph-svg'
  picture.dataset.user = user
  const title = svg('title', { id: 'graph-title' })
  title.textContent = `Graph of ${user}'s memories`
  const desc = svg('desc', { id: 'graph-desc' })
  desc.textContent = `${summary}. Circles are entities (people, places, things) named in the memories; arrows are relations, labelled with their type; dashed lines join entities named in the same memory.`
  const defs = svg('defs')
  const marker = svg('marker', {
    id: 'graph-arrow',
    viewBox: '0 0 10 10',
    refX: 10,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: 'auto-start-reverse',
  })
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'graph-arrowhead' }))
  defs.append(marker)
  picture.append(title, desc, defs)

  const radius = (node: Node): number => Math.min(22, 9 + 3 * Math.sqrt(node.mentions))
  const links = svg('g', { class: 'graph-comentions' })
  for (const pair of together) {
    const a = nodes.get(pair.a)!
    const b = nodes.get(pair.b)!
    const line = svg('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'graph-comention' })
    line.dataset.testid = 'graph-comention'
    links.append(
      titled(line, `${a.name} and ${b.name} are named together in ${pair.memories} ${pair.memories === 1 ? 'memory' : 'memories'}`),
    )
  }
  const edges = svg('g', { class: 'graph-edges' })
  for (const relation of relations) {
    const a = nodes.get(relation.sourceId)!
    const b = nodes.get(relation.targetId)!
    const label = relation.relationship.replaceAll('_', ' ')
    const edge = svg('g', { class: 'graph-edge' })
    Object.assign(edge.dataset, {
      testid: 'graph-edge',
      source: relation.source,
      target: relation.target,
      relationship: relation.relationship,
    })
    // The line stops at the target's rim so the arrowhead shows.
    const dx = b.x - a.x
    const dy = b.y - a.y
    const d = Math.max(1, Math.hypot(dx, dy))
    const line = svg('line', {
      x1: a.x + (dx / d) * radius(a),
      y1: a.y + (dy / d) * radius(a),
      x2: b.x - (dx / d) * (radius(b) + 2),
      y2: b.y - (dy / d) * (radius(b) + 2),
      'marker-end': 'url(#graph-arrow)',
    })
    const text = svg('text', { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 4, 'text-anchor': 'middle', class: 'graph-edge-label' })
    text.textContent = label
    edge.append(line, text)
    edges.append(
      titled(edge, `${relation.source} ${label} ${relation.target} (since ${new Date(relation.validFrom).toLocaleDateString()})`),
    )
  }
  const points = svg('g', { class: 'graph-nodes' })
  for (const node of nodes.values()) {
    const group = svg('g', { class: 'graph-node', transform: `translate(${node.x.toFixed(1)} ${node.y.toFixed(1)})` })
    Object.assign(group.dataset, { testid: 'graph-node', name: node.name })
    const circle = svg('circle', { r: radius(node) })
    const text = svg('text', { y: radius(node) + 13, 'text-anchor': 'middle' })
    text.textContent = node.name
    group.append(circle, text)
    const kind = node.type ? ` (${node.type})` : ''
    points.append(titled(group, `${node.name}${kind}: named in ${node.mentions} ${node.mentions === 1 ? 'memory' : 'memories'}`))
  }
  picture.append(links, edges, points)
  host.replaceChildren(picture)
  return { nodes: nodes.size, edges: relations.length }
}
