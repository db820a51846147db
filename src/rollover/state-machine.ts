// The per-record state machine of the key state model: given a key's goal and a record's state,
// the states the record may move to next, in order of preference (or none).
// Contract: pure; `nextStates` says where a record is heading, never whether it may go there now —
// roll-order.ts (the roll type), rules.ts (validity) and timing.ts (caches) decide that; enforce.ts
// takes the first candidate they allow.
//
//              publish            caches caught up            withdraw           caches caught up
//   HIDDEN ─────────────► RUMOURED ─────────────► OMNIPRESENT ─────────────► UNRETENTIVE ─────────────► HIDDEN
//     ▲                      │                                                    ▲                      │
//     │                      └────────────────── hand-over (RRSIG) ───────────────┘                      │
//     └──────────────────────────────────────────────────────────────────────────────────────────────────┘
//
//   goal omnipresent (introduce): moves right from HIDDEN and rests at OMNIPRESENT.
//   goal hidden (retire):         moves right from OMNIPRESENT and rests at HIDDEN.
//   A record caught half-way when the goal changes finishes its step first: goal hidden in RUMOURED
//   goes on to OMNIPRESENT, goal omnipresent in UNRETENTIVE goes on to HIDDEN — except:
//
//   DS shortcuts (the parent edits DS records one by one and caches hold each on its own):
//     RUMOURED ──► UNRETENTIVE   goal hidden: retract a DS that is still being submitted
//     UNRETENTIVE ──► RUMOURED   goal omnipresent: resubmit a DS that is still being retracted
//   Zone signature hand-over (a roll superseded by another, e.g. `key rollover` because the key
//   that just started signing is compromised):
//     RUMOURED ──► UNRETENTIVE   goal hidden: stop signing at once when a successor takes over,
//                                preferred to finishing first; roll-order.ts allows it only while
//                                the algorithm is signed throughout and a successor signs from the
//                                same moment, so zone data never lacks a signature of the algorithm.
//
//   NA: the record does not exist for this role (DS and RRSIG-DNSKEY of a ZSK, RRSIG of a KSK).
//
// Moves to RUMOURED/UNRETENTIVE change what is published (immediately, at `now`); moves to
// OMNIPRESENT/HIDDEN only record that every cache has caught up (after the timing.ts wait).
// The DNSKEY family keeps the strict cycle, so an UNRETENTIVE DNSKEY was in every earlier snapshot
// still cached and a RUMOURED one in none; rules.ts relies on that to reason about which DNSKEY sets
// a cache can hold. A superseded key that is only being published therefore completes its DNSKEY
// step before it is withdrawn (it never signed, so it costs time, not safety).

import type { Goal, RecordState, RecordType } from './types.js';

/** Where the record may go next, preferred first; empty when it rests. */
export function nextStates(goal: Goal, record: RecordType, state: RecordState): RecordState[] {
  const next = nextState(goal, record, state);
  if (goal === 'hidden' && record === 'rrsig' && state === 'rumoured') return ['unretentive', 'omnipresent'];
  return next === null ? [] : [next];
}

function nextState(goal: Goal, record: RecordType, state: RecordState): RecordState | null {
  if (state === 'na') return null;
  if (goal === 'omnipresent') {
    switch (state) {
      case 'hidden':
        return 'rumoured';
      case 'rumoured':
        return 'omnipresent';
      case 'unretentive':
        return record === 'ds' ? 'rumoured' : 'hidden';
      case 'omnipresent':
        return null;
    }
  }
  switch (state) {
    case 'omnipresent':
      return 'unretentive';
    case 'rumoured':
      return record === 'ds' ? 'unretentive' : 'omnipresent';
    case 'unretentive':
      return 'hidden';
    case 'hidden':
      return null;
  }
}
