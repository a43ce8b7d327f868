// English function words: the stand-in WordNet model gives them near-zero vectors (they say nothing about
// what a sentence is about), and gloss words among them are not used as features.
export const STOP_WORDS = new Set(
  `a about above after again against all am an and any are aren as at be because been before being below
  between both but by can cannot could did do does doing don down during each few for from further had has
  have having he her here hers herself him himself his how i if in into is isn it its itself just let me more
  most my myself no nor not now of off on once only or other ought our ours ourselves out over own same she
  should so some such than that the their theirs them themselves then there these they this those through to
  too under until up very was we were what when where which while who whom why will with would you your yours
  yourself yourselves also am its via per upon yet ever every many much may might must shall whether within
  without among across along already although always another anyone anything around away else enough even
  here however less lot never next nothing often once perhaps quite rather really since something sometimes
  still though thus together toward towards usually whose etc one two three get got gets`
    .split(/\s+/)
    .filter(Boolean),
)
