// The per-record state machine of the key state model: given a key's goal and a record's state,
// the one state the record should move to next (or none).
// Contract: pure; `nextState` says where a record is heading, never whether it may go there now —
// roll-order.ts (the roll type), rules.ts (validity) and timing.ts (caches) decide that.
//
//              publish            caches caught up            withdraw           caches caught up
//   HIDDEN ─────────────► RUMOURED ─────────────► OMNIPRESENT ─────────────► UNRETENTIVE ─────────────► HIDDEN
//     ▲                                                                                                  │
//     └──────────────────────────────────────────────────────────────────────────────────────────────────┘
//
//   goal omnipresent (introduce): moves right from HIDDEN and rests at OMNIPRESENT.
//   goal hidden (retire):         moves right from OMNIPRESENT and rests at HIDDEN.
//   A record caught half-way when the goal changes finishes its step first: goal hidden in RUMOURED
//   goes on to OMNIPRESENT, goal omnipresent in UNRETENTIVE goes on to HIDDEN.
//
//   DS shortcuts (the parent edits DS records one by one and caches hold each on its own):
//     RUMOURED ──► UNRETENTIVE   goal hidden: retract a DS that is still being submitted
//     UNRETENTIVE ──► RUMOURED   goal omnipresent: resubmit a DS that is still being retracted
//
//   NA: the record does not exist for this role (DS and RRSIG-DNSKEY of a ZSK, RRSIG of a KSK).
//
// Moves to RUMOURED/UNRETENTIVE change what is published (immediately, at `now`); moves to
// OMNIPRESENT/HIDDEN only record that every cache has caught up (after the timing.ts wait).
// The DNSKEY family and zone signatures keep the strict cycle so that an UNRETENTIVE record was always
// OMNIPRESENT before and a RUMOURED one HIDDEN before; rules.ts relies on that to reason about which
// DNSKEY sets a cache can hold and whether zone data is signed throughout. (A ZSK whose roll is
// overtaken by another therefore completes before it is withdrawn; roll-order.ts lets only one key of
// an algorithm take over the signing at a time, since ods-signer could never complete two.)

import type { Goal, RecordState, RecordType } from './types.js';

export function nextState(goal: Goal, record: RecordType, state: RecordState): RecordState | null {
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
