"""Pairwise RLVR: few-prompt RL with verifiable rewards via positive–negative prompt pairing."""
