from streamproc.publish.webhooks.signing import delivery_id, generate_secret, sign, verify


def test_sign_and_verify_roundtrip_and_tamper():
    secret = generate_secret()
    sig = sign(secret, "msg_1", 1700000000, b'{"a":1}')
    assert sig.startswith("v1,")
    assert verify(secret, "msg_1", 1700000000, b'{"a":1}', sig)
    assert not verify(secret, "msg_1", 1700000000, b'{"a":2}', sig)
    assert not verify(generate_secret(), "msg_1", 1700000000, b'{"a":1}', sig)


def test_known_vector_from_the_standard_webhooks_spec():
    # The example in the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_rotation_any_signature_matches():
    old, new = generate_secret(), generate_secret()
    header = " ".join([sign(old, "m", 1, b"x"), sign(new, "m", 1, b"x")])
    assert verify(old, "m", 1, b"x", header) and verify(new, "m", 1, b"x", header)


def test_delivery_id_is_deterministic_per_alert_and_subscriber():
    assert delivery_id("alr_1", "sub_a") == delivery_id("alr_1", "sub_a")
    assert delivery_id("alr_1", "sub_a") != delivery_id("alr_1", "sub_b")
