"""Who is calling, and what they may see and do: identities, the role policy, consent, audit."""
