"""HuggingFace Math-Verify as a reference grader: one verdict per (response, gold), the way the benchmark and the
differential harness both call it (gold wrapped in $...$, the response parsed with Math-Verify's defaults)."""
import logging


def grader():
    """A function (response, gold) -> (verdict, extracted): CORRECT / INCORRECT, or NO_ANSWER when Math-Verify
    parses nothing from the response. Imported lazily: Math-Verify is slow to import and only tools need it."""
    import math_verify
    logging.getLogger("math_verify").setLevel(logging.CRITICAL)

    def grade(response: str, gold: str) -> tuple[str, str]:
        parsed_gold = math_verify.parse(f"${gold}$")
        answer = math_verify.parse(response)
        if not answer:
            return "NO_ANSWER", ""
        verdict = "CORRECT" if math_verify.verify(parsed_gold, answer) else "INCORRECT"
        return verdict, str(answer[-1])

    return grade
